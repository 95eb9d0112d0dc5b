variable "project_id" {
  description = "Data project holding the buckets."
  type        = string
}

variable "location" {
  description = "Region of the buckets (the key's region)."
  type        = string
}

variable "landing_bucket_name" {
  description = "Name of the bucket files land in (modules/naming landing_bucket_name)."
  type        = string
}

variable "audit_bucket_name" {
  description = "Name of the audit copy bucket (modules/naming audit_bucket_name)."
  type        = string
}

variable "kms_key_id" {
  description = "Customer-managed key encrypting both buckets' objects."
  type        = string
}

variable "landing_days" {
  description = "Age in days at which a landed file, and a replaced or deleted version of one, is removed (modules/naming)."
  type        = number
  validation {
    condition     = var.landing_days >= 30 && floor(var.landing_days) == var.landing_days
    error_message = "landing_days must be a whole number of days, at least 30."
  }
}

variable "audit_retention_period_seconds" {
  description = "Seconds the audit copy keeps every object: at least 7 years including leap days (modules/naming)."
  type        = number
  validation {
    condition     = var.audit_retention_period_seconds >= 220924800
    error_message = "audit_retention_period_seconds must cover 7 years (220924800 s, 2557 days)."
  }
}

variable "audit_retention_locked" {
  description = "Lock the audit copy's retention policy (irreversible; required in prod by modules/naming)."
  type        = bool
}

variable "labels" {
  description = "Labels of both buckets (modules/naming labels)."
  type        = map(string)
  validation {
    condition     = contains(["dev", "prod"], lookup(var.labels, "environment", ""))
    error_message = "labels must name the environment (dev or prod): the checkov policies read it."
  }
}
