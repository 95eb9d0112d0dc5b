variable "environment" {
  description = "Deployment environment: dev (synthetic data) or prod (books and records)."
  type        = string
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "project_id" {
  description = "Data project: holds the landing and audit buckets, the BigQuery datasets, the keys and the secrets."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lowercase letters, digits and hyphens)."
  }
}

variable "orchestration_project_id" {
  description = "Project of the Cloud Composer environment; must differ from project_id (see the rule below)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.orchestration_project_id))
    error_message = "orchestration_project_id must be a Google Cloud project id."
  }
  # roles/composer.worker grants object read, write and delete on every bucket of its project: in the data project it
  # would let the orchestrator delete landing files, so the environment lives in a project of its own.
  validation {
    condition     = var.orchestration_project_id != var.project_id
    error_message = "orchestration_project_id must differ from project_id: roles/composer.worker can delete any object of its project."
  }
}

variable "region" {
  description = "Region of every regional resource; records of a US FCM stay in the United States."
  type        = string
  validation {
    condition     = can(regex("^us-[a-z]+[0-9]$", var.region))
    error_message = "region must be a US region such as us-central1 or us-east4."
  }
}

variable "retention_years" {
  description = "Years the audit copy keeps every object (books and records); at least 7, at most GCS's 100."
  type        = number
  validation {
    condition     = var.retention_years >= 7 && var.retention_years <= 100 && floor(var.retention_years) == var.retention_years
    error_message = "retention_years must be a whole number of years from 7 to 100."
  }
}

variable "retention_locked" {
  description = "Lock the audit copy's retention policy (irreversible: no one can shorten it or delete the bucket early)."
  type        = bool
  validation {
    condition     = var.environment != "prod" || var.retention_locked
    error_message = "prod must lock the audit copy's retention policy."
  }
}

variable "landing_days" {
  description = "Days a file, or a replaced or deleted version of one, stays in the landing bucket."
  type        = number
  validation {
    condition     = var.landing_days >= 30 && floor(var.landing_days) == var.landing_days
    error_message = "landing_days must be a whole number of days, at least 30 (a month of re-runs)."
  }
}

variable "notification_emails" {
  description = "Who the alert policies notify (on-call and compliance); prod needs at least one."
  type        = list(string)
  validation {
    condition     = alltrue([for email in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]+$", email))])
    error_message = "notification_emails must be email addresses."
  }
  validation {
    condition     = var.environment != "prod" || length(var.notification_emails) > 0
    error_message = "prod must notify at least one email address."
  }
}
