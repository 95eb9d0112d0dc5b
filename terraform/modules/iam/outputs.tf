output "emails" {
  description = "Email of each workload's service account, by duty."
  value       = { for duty, account in google_service_account.workloads : duty => account.email }
}

output "members" {
  description = "IAM member (serviceAccount:...) of each workload, by duty."
  value       = local.members
}
