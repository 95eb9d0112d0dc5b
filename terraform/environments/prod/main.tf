# The environment: naming and rules first, then keys, storage, warehouse, identities, secrets, Composer and alerts.
# environments/dev/main.tf is this file with environment = "dev".

module "naming" {
  source = "../../modules/naming"

  environment              = "prod"
  project_id               = var.project_id
  orchestration_project_id = var.orchestration_project_id
  region                   = var.region
  retention_years          = var.retention_years
  retention_locked         = var.retention_locked
  landing_days             = var.landing_days
  notification_emails      = var.notification_emails
}

locals {
  warehouse = "bigquery://${var.project_id}/${module.warehouse.marts_dataset_id}"

  data_services          = ["bigquery.googleapis.com", "cloudkms.googleapis.com", "iam.googleapis.com", "logging.googleapis.com", "secretmanager.googleapis.com", "storage.googleapis.com"]
  orchestration_services = ["artifactregistry.googleapis.com", "composer.googleapis.com", "iam.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com"]

  orchestration_agents = [
    for agent in ["cloudcomposer-accounts", "gcp-sa-artifactregistry", "container-engine-robot", "compute-system", "gcp-sa-pubsub", "gs-project-accounts"] :
    "serviceAccount:service-${data.google_project.orchestration.number}@${agent}.iam.gserviceaccount.com"
  ]
}

resource "google_project_service" "data" {
  for_each = toset(local.data_services)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_project_service" "orchestration" {
  for_each = toset(local.orchestration_services)

  project            = var.orchestration_project_id
  service            = each.value
  disable_on_destroy = false
}

data "google_project" "data" {
  project_id = var.project_id
}

data "google_project" "orchestration" {
  project_id = var.orchestration_project_id
}

data "google_storage_project_service_account" "data" {
  project = var.project_id
}

data "google_bigquery_default_service_account" "data" {
  project = var.project_id
}

module "kms" {
  source = "../../modules/kms"

  project_id      = var.project_id
  location        = var.region
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
  source = "../../modules/landing_bucket"

  project_id                     = var.project_id
  location                       = var.region
  landing_bucket_name            = module.naming.landing_bucket_name
  audit_bucket_name              = module.naming.audit_bucket_name
  kms_key_id                     = module.kms.key_ids["landing"]
  landing_days                   = module.naming.landing_days
  audit_retention_period_seconds = module.naming.retention_period_seconds
  audit_retention_locked         = module.naming.retention_locked
  labels                         = module.naming.labels
}

module "warehouse" {
  source = "../../modules/warehouse"

  project_id                    = var.project_id
  location                      = var.region
  schema_file                   = "${path.root}/../../../sql/warehouse_schema.yaml"
  marts_dataset_id              = module.naming.marts_dataset_id
  staging_dataset_id            = module.naming.staging_dataset_id
  staging_table_expiration_days = 7
  kms_key_id                    = module.kms.key_ids["warehouse"]
  labels                        = module.naming.labels
}

module "iam" {
  source = "../../modules/iam"

  project_id               = var.project_id
  orchestration_project_id = var.orchestration_project_id
  service_account_ids      = module.naming.service_account_ids
  landing_writers          = var.landing_writers
  mart_readers             = var.mart_readers
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
  source = "../../modules/secrets"

  project_id         = var.project_id
  location           = var.region
  connection_ids     = var.connection_ids
  connections_prefix = "airflow-connections"
  kms_key_id         = module.kms.key_ids["secrets"]
  accessor_member    = module.iam.members["orchestrator"]
  labels             = module.naming.labels
}

module "orchestration" {
  source = "../../modules/orchestration"

  project_id         = var.orchestration_project_id
  region             = var.region
  name               = module.naming.composer_environment_name
  image_version      = var.composer_image_version
  environment_size   = module.naming.composer_environment_size
  resilience_mode    = module.naming.composer_resilience_mode
  kms_key_id         = module.kms.key_ids["orchestration"]
  connections_prefix = module.secrets.connections_prefix
  secrets_project_id = var.project_id
  labels             = module.naming.labels
  service_account = {
    email = module.iam.emails["orchestrator"]
    id    = "projects/${var.orchestration_project_id}/serviceAccounts/${module.iam.emails["orchestrator"]}"
  }
  pipeline_settings = {
    landing           = module.landing_bucket.landing_url
    warehouse         = local.warehouse
    loader_account    = module.iam.emails["loader"]
    publisher_account = module.iam.emails["publisher"]
  }
}

module "monitoring" {
  source = "../../modules/monitoring"

  project_id          = var.orchestration_project_id
  dag_id              = "fcm_recon_daily"
  notification_emails = var.notification_emails
  labels              = module.naming.labels
}
