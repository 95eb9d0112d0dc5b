# Airflow connections (bank and clearing-house transfer credentials) in Secret Manager: the secrets are declared here,
# their versions (the values) are added by an operator and never pass through Terraform state or the repository.

resource "google_secret_manager_secret" "connections" {
  for_each = var.connection_ids

  project   = var.project_id
  secret_id = "${var.connections_prefix}-${each.value}"
  labels    = var.labels

  replication {
    user_managed {
      replicas {
        location = var.location
        customer_managed_encryption {
          kms_key_name = var.kms_key_id
        }
      }
    }
  }
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = google_secret_manager_secret.connections

  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.accessor_member
}
