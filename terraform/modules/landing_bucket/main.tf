# The landing bucket (files arrive here) and the audit copy (what auditors read for the retention period). Both are
# private, uniformly accessed and CMEK-encrypted; landing keeps every version of a file for landing_days, and the audit
# copy cannot lose or replace an object inside its retention period.

resource "google_storage_bucket" "landing" {
  project                     = var.project_id
  name                        = var.landing_bucket_name
  location                    = var.location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = merge(var.labels, { data_class = "landing" })

  encryption {
    default_kms_key_name = var.kms_key_id
  }

  versioning {
    enabled = true
  }

  # A replaced or deleted file stays readable as a noncurrent version for landing_days, then goes; a current file
  # goes at that age, long after the loader has copied it to the audit bucket.
  lifecycle_rule {
    condition {
      age = var.landing_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.landing_days
    }
    action {
      type = "Delete"
    }
  }

  # Audit Logs (DATA_READ, DATA_WRITE; modules/iam) record every access, so no usage-log bucket is kept.
  #checkov:skip=CKV_GCP_62:access is recorded by Cloud Audit Logs data-access logs, enabled for storage in modules/iam
}

resource "google_storage_bucket" "audit" {
  project                     = var.project_id
  name                        = var.audit_bucket_name
  location                    = var.location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = merge(var.labels, { data_class = "books-and-records" })

  encryption {
    default_kms_key_name = var.kms_key_id
  }

  # GCS refuses object versioning on a bucket with a retention policy; the policy is the stronger guarantee (no object
  # can be deleted or replaced at all before the period ends), so the audit copy has no versions.
  #checkov:skip=CKV_GCP_78:GCS cannot version a bucket with a retention policy; the retention policy forbids deleting or replacing any object
  versioning {
    enabled = false
  }

  # Books and records: every input file, run manifest and filed statement is kept for the retention period, and in
  # prod the policy is locked, so not even the project owner can shorten it.
  retention_policy {
    retention_period = var.audit_retention_period_seconds
    is_locked        = var.audit_retention_locked
  }

  # Cheaper storage once a record is rarely read; objects are never deleted by the lifecycle.
  lifecycle_rule {
    condition {
      age = 90
    }
    action {
      type          = "SetStorageClass"
      storage_class = "COLDLINE"
    }
  }

  lifecycle_rule {
    condition {
      age = 365
    }
    action {
      type          = "SetStorageClass"
      storage_class = "ARCHIVE"
    }
  }

  #checkov:skip=CKV_GCP_62:access is recorded by Cloud Audit Logs data-access logs, enabled for storage in modules/iam
}
