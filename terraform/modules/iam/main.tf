# Workload identities with least privilege and separation of duties:
#   orchestrator  runs Airflow (Composer) and acts as the loader or the publisher for a stage; reads no data itself
#   loader        land, parse, validate, match: reads landing, copies inputs to the audit bucket, writes staging
#   publisher     publish: reads staging, replaces the date's partitions of the warehouse, writes manifests to audit
# The loader cannot write the warehouse marts; the publisher cannot read or delete landing files; nobody can delete an
# object of either bucket; no primitive role is granted. tests/terraform/test_iam.py checks these grant tables.

locals {
  duties = {
    orchestrator = "fcm-recon Airflow (Composer) environment"
    loader       = "fcm-recon land, parse, validate and match stages"
    publisher    = "fcm-recon publish stage"
  }

  members = { for duty, account in google_service_account.workloads : duty => account.member }

  bucket_grants = {
    loader_reads_landing   = { duty = "loader", bucket = "landing", role = "roles/storage.objectViewer" }
    loader_reads_audit     = { duty = "loader", bucket = "audit", role = "roles/storage.objectViewer" }
    loader_copies_to_audit = { duty = "loader", bucket = "audit", role = "roles/storage.objectCreator" }
    publisher_writes_audit = { duty = "publisher", bucket = "audit", role = "roles/storage.objectCreator" }
  }

  dataset_grants = {
    loader_writes_staging   = { duty = "loader", dataset = "staging", role = "roles/bigquery.dataEditor" }
    loader_reads_marts      = { duty = "loader", dataset = "marts", role = "roles/bigquery.dataViewer" }
    publisher_reads_staging = { duty = "publisher", dataset = "staging", role = "roles/bigquery.dataViewer" }
    publisher_writes_marts  = { duty = "publisher", dataset = "marts", role = "roles/bigquery.dataEditor" }
  }

  project_grants = {
    loader_runs_jobs    = { duty = "loader", role = "roles/bigquery.jobUser" }
    publisher_runs_jobs = { duty = "publisher", role = "roles/bigquery.jobUser" }
  }

  impersonation_grants = {
    orchestrator_acts_as_loader    = { duty = "orchestrator", target = "loader", role = "roles/iam.serviceAccountTokenCreator" }
    orchestrator_acts_as_publisher = { duty = "orchestrator", target = "publisher", role = "roles/iam.serviceAccountTokenCreator" }
  }
}

resource "google_service_account" "workloads" {
  for_each = var.service_account_ids

  project      = each.key == "orchestrator" ? var.orchestration_project_id : var.project_id
  account_id   = each.value
  display_name = local.duties[each.key]
}

resource "google_storage_bucket_iam_member" "workloads" {
  for_each = local.bucket_grants

  bucket = var.bucket_names[each.value.bucket]
  role   = each.value.role
  member = local.members[each.value.duty]
}

resource "google_storage_bucket_iam_member" "landing_writers" {
  for_each = toset(var.landing_writers)

  bucket = var.bucket_names.landing
  role   = "roles/storage.objectCreator"
  member = each.value
}

resource "google_bigquery_dataset_iam_member" "workloads" {
  for_each = local.dataset_grants

  project    = var.project_id
  dataset_id = var.dataset_ids[each.value.dataset]
  role       = each.value.role
  member     = local.members[each.value.duty]
}

resource "google_bigquery_dataset_iam_member" "mart_readers" {
  for_each = toset(var.mart_readers)

  project    = var.project_id
  dataset_id = var.dataset_ids.marts
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

resource "google_project_iam_member" "workloads" {
  for_each = local.project_grants

  project = var.project_id
  role    = each.value.role
  member  = local.members[each.value.duty]
}

# Composer runs its environment as a service account that holds roles/composer.worker on the environment's project;
# no narrower grant exists. The role can act as any service account of that project, which holds only the
# orchestrator's own (the loader and the publisher live in the data project).
resource "google_project_iam_member" "composer_worker" {
  #checkov:skip=CKV_GCP_49:Composer requires roles/composer.worker on its project; the orchestration project holds no other service account to act as
  project = var.orchestration_project_id
  role    = "roles/composer.worker"
  member  = local.members["orchestrator"]
}

resource "google_service_account_iam_member" "impersonation" {
  for_each = local.impersonation_grants

  service_account_id = google_service_account.workloads[each.value.target].name
  role               = each.value.role
  member             = local.members[each.value.duty]
}

# Every read and write of the records is logged, which is also why the buckets keep no usage logs.
resource "google_project_iam_audit_config" "data_access" {
  for_each = toset(["storage.googleapis.com", "bigquery.googleapis.com"])

  project = var.project_id
  service = each.value

  audit_log_config {
    log_type = "ADMIN_READ"
  }
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
