variable "environment" {
  description = "Deployment environment, dev or prod: fixed by the calling environment's main.tf (not its tfvars), so prod's rules in modules/naming always apply to prod."
  type        = string
}

# One object rather than eleven variables so that an environment passes its terraform.tfvars through in one line;
# modules/naming validates each field (US region, two projects, retention, landing days, emails).
variable "settings" {
  description = <<-EOT
    The environment's values, from its terraform.tfvars:
    project_id (data project: buckets, datasets, keys, secrets, the loader and the publisher);
    orchestration_project_id (Composer and the orchestrator; must differ from project_id);
    region (of every resource; a US region);
    retention_years (the audit copy keeps every object this long; at least 7);
    retention_locked (lock the audit copy's retention policy; irreversible; required in prod);
    landing_days (a landed file and its replaced versions are kept this long; at least 30);
    notification_emails (who the alert policies notify; at least one in prod);
    composer_image_version (Cloud Composer 3 image with Airflow 3);
    connection_ids (Airflow connection ids kept in Secret Manager);
    landing_writers (service accounts that deliver files to the landing bucket);
    mart_readers (groups that read the warehouse).
  EOT
  type = object({
    project_id               = string
    orchestration_project_id = string
    region                   = string
    retention_years          = number
    retention_locked         = bool
    landing_days             = number
    notification_emails      = list(string)
    composer_image_version   = string
    connection_ids           = set(string)
    landing_writers          = list(string)
    mart_readers             = list(string)
  })
}
