output "environment_name" {
  description = "Name of the Composer environment."
  value       = google_composer_environment.this.name
}

output "airflow_uri" {
  description = "URL of the Airflow UI."
  value       = google_composer_environment.this.config[0].airflow_uri
}

output "dag_gcs_prefix" {
  description = "gs:// folder the DAG files are deployed to."
  value       = google_composer_environment.this.config[0].dag_gcs_prefix
}
