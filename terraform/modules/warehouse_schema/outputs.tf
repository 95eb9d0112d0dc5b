output "tables" {
  description = "Every warehouse table by name: description, partition_field (daily), clustering and BigQuery fields."
  value       = local.tables

  precondition {
    condition     = length(local.problems) == 0
    error_message = "${var.schema_file}: ${join("; ", local.problems)}"
  }
}

output "money" {
  description = "Precision and scale of every NUMERIC column."
  value       = local.money
}
