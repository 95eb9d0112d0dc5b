output "labels" {
  description = "Labels every resource carries (application, environment)."
  value       = local.labels
}

output "landing_bucket_name" {
  description = "Bucket the clearing, bank and ledger files land in."
  value       = "${var.project_id}-${local.prefix}-landing"
}

output "audit_bucket_name" {
  description = "Bucket of the audit copy: inputs, manifests and documents kept for the retention period."
  value       = "${var.project_id}-${local.prefix}-audit"
}

output "staging_dataset_id" {
  description = "BigQuery dataset the loader loads parsed files into."
  value       = "fcm_recon_staging"
}

output "marts_dataset_id" {
  description = "BigQuery dataset of the warehouse tables of sql/warehouse_schema.yaml, written only by the publisher."
  value       = "fcm_recon"
}

output "key_ring_name" {
  description = "Cloud KMS key ring of the environment."
  value       = "${local.prefix}-${var.environment}"
}

output "service_account_ids" {
  description = "account_id of each workload's service account, by duty."
  value = {
    orchestrator = "${local.prefix}-orchestrator"
    loader       = "${local.prefix}-loader"
    publisher    = "${local.prefix}-publisher"
  }
}

output "composer_environment_name" {
  description = "Cloud Composer environment."
  value       = "${local.prefix}-${var.environment}"
}

output "retention_days" {
  description = "Days of the audit copy's retention policy."
  value       = local.retention_days
}

output "retention_period_seconds" {
  description = "The audit copy's retention policy in seconds, as GCS takes it."
  value       = local.retention_period_seconds
}

output "retention_locked" {
  description = "Whether the audit copy's retention policy is locked."
  value       = var.retention_locked
}

output "landing_days" {
  description = "Age in days at which the landing bucket deletes a file or a replaced version of one."
  value       = var.landing_days
}

output "composer_environment_size" {
  description = "Cloud Composer environment size for the environment."
  value       = var.environment == "prod" ? "ENVIRONMENT_SIZE_MEDIUM" : "ENVIRONMENT_SIZE_SMALL"
}

output "composer_resilience_mode" {
  description = "Cloud Composer resilience mode: prod survives a zone outage."
  value       = var.environment == "prod" ? "HIGH_RESILIENCE" : "STANDARD_RESILIENCE"
}
