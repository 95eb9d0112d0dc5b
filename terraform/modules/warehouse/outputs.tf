output "marts_dataset_id" {
  description = "Dataset of the warehouse tables (bigquery://<project>/<this>)."
  value       = google_bigquery_dataset.marts.dataset_id
}

output "staging_dataset_id" {
  description = "Dataset of the loads."
  value       = google_bigquery_dataset.staging.dataset_id
}

output "table_ids" {
  description = "Id of each warehouse table, by name."
  value       = { for name, table in google_bigquery_table.marts : name => table.id }
}
