output "alert_policy_ids" {
  description = "Id of each alert policy, by what it watches (run_failed, statement_late, deficiency)."
  value       = { for name, policy in google_monitoring_alert_policy.alert : name => policy.id }
}
