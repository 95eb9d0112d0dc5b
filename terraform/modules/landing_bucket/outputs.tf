output "landing_bucket_name" {
  description = "Name of the landing bucket."
  value       = google_storage_bucket.landing.name
}

output "audit_bucket_name" {
  description = "Name of the audit copy bucket."
  value       = google_storage_bucket.audit.name
}

output "landing_url" {
  description = "gs:// URL of the landing root (FCM_RECON_LANDING)."
  value       = google_storage_bucket.landing.url
}
