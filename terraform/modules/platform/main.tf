# One environment of the platform: naming and rules first, then keys, storage, warehouse, identities, secrets, Composer
# and alerts. environments/dev and environments/prod call this module with their own values; what differs between them
# is in those values and in the rules of modules/naming (prod locks the audit copy's retention and notifies someone).

module "naming" {
  source = "../naming"

  environment              = var.environment
  project_id               = var.settings.project_id
  orchestration_project_id = var.settings.orchestration_project_id
  region                   = var.settings.region
  retention_years          = var.settings.retention_years
  retention_locked         = var.settings.retention_locked
  landing_days             = var.settings.landing_days
  notification_emails      = var.settings.notification_emails
}

locals {
  warehouse = "bigquery://${var.settings.project_id}/${module.warehouse.marts_dataset_id}"

  data_services          = ["bigquery.googleapis.com", "cloudkms.googleapis.com", "iam.googleapis.com", "logging.googleapis.com", "secretmanager.googleapis.com", "storage.googleapis.com"]
  orchestration_services = ["artifactregistry.googleapis.com", "composer.googleapis.com", "iam.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com"]

  orchestration_agents = [
    for agent in ["cloudcomposer-accounts", "gcp-sa-artifactregistry", "container-engine-robot", "compute-system", "gcp-sa-pubsub", "gs-project-accounts"] :
    "serviceAccount:service-${data.google_project.orchestration.number}@${agent}.iam.gserviceaccount.com"
  ]
}

resource "google_project_service" "data" {
  for_each = toset(local.data_services)

  project            = var.settings.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_project_service" "orchestration" {
  for_each = toset(local.orchestration_services)

  project            = var.settings.orchestration_project_id
  service            = each.value
  disable_on_destroy = false
}

data "google_project" "data" {
  project_id = var.settings.project_id
}

data "google_project" "orchestration" {
  project_id = var.settings.orchestration_project_id
}

data "google_storage_project_service_account" "data" {
  project = var.settings.project_id
}

data "google_bigquery_default_service_account" "data" {
  project = var.settings.project_id
}

module "kms" {
  source = "../kms"

  project_id      = var.settings.project_id
  location        = var.settings.region
  key_ring_name   = module.naming.key_ring_name
  rotation_period = "7776000s"
  labels          = module.naming.labels
  keys = {
    landing       = { encrypter_decrypters = [data.google_storage_project_service_account.data.member] }
    warehouse     = { encrypter_decrypters = [data.google_bigquery_default_service_account.data.member] }
    secrets       = { encrypter_decrypters = ["serviceAccount:service-${data.google_project.data.number}@gcp-sa-secretmanager.iam.gserviceaccount.com"] }
    orchestration = { encrypter_decrypters = local.orchestration_agents }
  }

  depends_on = [google_project_service.data, google_project_service.orchestration]
}

module "landing_bucket" {
  source = "../landing_bucket"

  project_id                     = var.settings.project_id
  location                       = var.settings.region
  landing_bucket_name            = module.naming.landing_bucket_name
  audit_bucket_name              = module.naming.audit_bucket_name
  kms_key_id                     = module.kms.key_ids["landing"]
  landing_days                   = module.naming.landing_days
  audit_retention_period_seconds = module.naming.retention_period_seconds
  audit_retention_locked         = module.naming.retention_locked
  labels                         = module.naming.labels
}

module "warehouse" {
  source = "../warehouse"

  project_id                    = var.settings.project_id
  location                      = var.settings.region
  schema_file                   = "${path.module}/../../../sql/warehouse_schema.yaml"
  marts_dataset_id              = module.naming.marts_dataset_id
  staging_dataset_id            = module.naming.staging_dataset_id
  staging_table_expiration_days = 7
  kms_key_id                    = module.kms.key_ids["warehouse"]
  labels                        = module.naming.labels
}

module "iam" {
  source = "../iam"

  project_id               = var.settings.project_id
  orchestration_project_id = var.settings.orchestration_project_id
  service_account_ids      = module.naming.service_account_ids
  landing_writers          = var.settings.landing_writers
  mart_readers             = var.settings.mart_readers
  bucket_names = {
    landing = module.landing_bucket.landing_bucket_name
    audit   = module.landing_bucket.audit_bucket_name
  }
  dataset_ids = {
    staging = module.warehouse.staging_dataset_id
    marts   = module.warehouse.marts_dataset_id
  }
}

module "secrets" {
  source = "../secrets"

  project_id         = var.settings.project_id
  location           = var.settings.region
  connection_ids     = var.settings.connection_ids
  connections_prefix = "airflow-connections"
  kms_key_id         = module.kms.key_ids["secrets"]
  accessor_member    = module.iam.members["orchestrator"]
  labels             = module.naming.labels
}

module "orchestration" {
  source = "../orchestration"

  project_id         = var.settings.orchestration_project_id
  region             = var.settings.region
  name               = module.naming.composer_environment_name
  image_version      = var.settings.composer_image_version
  environment_size   = module.naming.composer_environment_size
  resilience_mode    = module.naming.composer_resilience_mode
  kms_key_id         = module.kms.key_ids["orchestration"]
  connections_prefix = module.secrets.connections_prefix
  secrets_project_id = var.settings.project_id
  labels             = module.naming.labels
  service_account = {
    email = module.iam.emails["orchestrator"]
    id    = "projects/${var.settings.orchestration_project_id}/serviceAccounts/${module.iam.emails["orchestrator"]}"
  }
  pipeline_settings = {
    landing           = module.landing_bucket.landing_url
    warehouse         = local.warehouse
    loader_account    = module.iam.emails["loader"]
    publisher_account = module.iam.emails["publisher"]
  }
}

module "monitoring" {
  source = "../monitoring"

  project_id          = var.settings.orchestration_project_id
  dag_id              = "fcm_recon_daily"
  notification_emails = var.settings.notification_emails
  labels              = module.naming.labels
}
