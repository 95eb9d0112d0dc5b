output "secret_ids" {
  description = "Secret id of each connection, by Airflow connection id."
  value       = { for id, secret in google_secret_manager_secret.connections : id => secret.secret_id }
}

output "connections_prefix" {
  description = "Prefix for Airflow's CloudSecretManagerBackend connections_prefix."
  value       = var.connections_prefix
}
