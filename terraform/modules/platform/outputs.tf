output "landing" {
  description = "Landing root for FCM_RECON_LANDING and fcm-recon run --landing."
  value       = module.landing_bucket.landing_url
}

output "warehouse" {
  description = "Warehouse target for FCM_RECON_WAREHOUSE and fcm-recon run --warehouse."
  value       = local.warehouse
}

output "service_accounts" {
  description = "Email of each workload's service account, by duty."
  value       = module.iam.emails
}

output "airflow_uri" {
  description = "URL of the Airflow UI."
  value       = module.orchestration.airflow_uri
}

output "dag_gcs_prefix" {
  description = "gs:// folder the DAG files are deployed to."
  value       = module.orchestration.dag_gcs_prefix
}
