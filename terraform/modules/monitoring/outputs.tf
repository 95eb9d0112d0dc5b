output "alert_policy_ids" {
  description = "Id of each alert policy, by what it watches."
  value = {
    run_failed     = google_monitoring_alert_policy.run_failed.id
    statement_late = google_monitoring_alert_policy.statement_late.id
    deficiency     = google_monitoring_alert_policy.deficiency.id
  }
}
