settings = {
  project_id               = "acme-fcm-recon-dev"
  orchestration_project_id = "acme-fcm-recon-orch-dev"
  region                   = "us-central1"
  retention_years          = 7
  retention_locked         = false
  landing_days             = 30
  notification_emails      = []
  composer_image_version   = "composer-3-airflow-3.1.0-build.3"
  connection_ids           = ["bank_sftp", "cme_sftp"]
  landing_writers          = []
  mart_readers             = ["group:fcm-recon-engineers@example.com"]
}
