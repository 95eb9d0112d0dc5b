variable "project_id" {
  description = "Data project: buckets, datasets, keys, secrets, the loader and the publisher."
  type        = string
}

variable "orchestration_project_id" {
  description = "Project of the Composer environment and the orchestrator."
  type        = string
}

variable "region" {
  description = "Region of every resource (a US region)."
  type        = string
}

variable "retention_years" {
  description = "Years the audit copy keeps every object (at least 7)."
  type        = number
}

variable "retention_locked" {
  description = "Lock the audit copy's retention policy (required in prod)."
  type        = bool
}

variable "landing_days" {
  description = "Days a landed file and its replaced versions are kept (at least 30)."
  type        = number
}

variable "notification_emails" {
  description = "Who the alert policies notify."
  type        = list(string)
}

variable "composer_image_version" {
  description = "Cloud Composer 3 image with Airflow 3."
  type        = string
}

variable "connection_ids" {
  description = "Airflow connection ids kept in Secret Manager."
  type        = set(string)
}

variable "landing_writers" {
  description = "Service accounts that deliver files to the landing bucket."
  type        = list(string)
}

variable "mart_readers" {
  description = "Groups that read the warehouse."
  type        = list(string)
}
