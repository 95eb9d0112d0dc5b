# The BigQuery warehouse: the marts dataset with one table per entry of sql/warehouse_schema.yaml (partitioned by
# business_date, clustered as the file says, NUMERIC(38, 9) for money), and the staging dataset the loads go to.

module "schema" {
  source      = "../warehouse_schema"
  schema_file = var.schema_file
}

resource "google_bigquery_dataset" "marts" {
  project                    = var.project_id
  dataset_id                 = var.marts_dataset_id
  friendly_name              = "fcm-recon warehouse"
  description                = "Reconciliation and segregation results of record, one partition per business date."
  location                   = var.location
  delete_contents_on_destroy = false
  max_time_travel_hours      = 168
  labels                     = var.labels

  default_encryption_configuration {
    kms_key_name = var.kms_key_id
  }
}

resource "google_bigquery_dataset" "staging" {
  project                     = var.project_id
  dataset_id                  = var.staging_dataset_id
  friendly_name               = "fcm-recon staging"
  description                 = "Parsed files loaded for one run; the publisher copies them into the warehouse."
  location                    = var.location
  delete_contents_on_destroy  = false
  default_table_expiration_ms = var.staging_table_expiration_days * 86400000
  labels                      = var.labels

  default_encryption_configuration {
    kms_key_name = var.kms_key_id
  }
}

resource "google_bigquery_table" "marts" {
  for_each = module.schema.tables

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.marts.dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = jsonencode(each.value.fields)
  clustering          = each.value.clustering
  deletion_protection = true
  labels              = var.labels

  # A run replaces its business date's partition and nothing else; partitions never expire (books and records).
  time_partitioning {
    type  = "DAY"
    field = each.value.partition_field
  }

  encryption_configuration {
    kms_key_name = var.kms_key_id
  }
}
