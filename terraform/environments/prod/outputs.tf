output "platform" {
  description = "modules/platform's outputs: landing, warehouse, service_accounts, airflow_uri, dag_gcs_prefix."
  value       = module.platform
}
