settings = {
  project_id               = "acme-fcm-recon-prod"
  orchestration_project_id = "acme-fcm-recon-orch-prod"
  region                   = "us-central1"
  retention_years          = 7
  retention_locked         = true
  landing_days             = 45
  notification_emails      = ["fcm-recon-oncall@example.com", "seg-compliance@example.com"]
  composer_image_version   = "composer-3-airflow-3.1.0-build.3"
  connection_ids           = ["bank_sftp", "cme_sftp"]
  landing_writers          = []
  mart_readers             = ["group:fcm-recon-finance@example.com", "group:fcm-recon-compliance@example.com"]
}
