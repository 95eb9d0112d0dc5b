# Cloud Composer 3 running the fcm_recon_daily DAG (dags/). Why Composer 3 rather than GKE with the official Airflow
# chart: terraform/README.md.

data "google_project" "this" {
  project_id = var.project_id
}

# Composer 3 acts as the environment's service account through its service agent.
resource "google_service_account_iam_member" "composer_agent" {
  service_account_id = var.service_account.id
  role               = "roles/composer.ServiceAgentV2Ext"
  member             = "serviceAccount:service-${data.google_project.this.number}@cloudcomposer-accounts.iam.gserviceaccount.com"
}

resource "google_composer_environment" "this" {
  project = var.project_id
  name    = var.name
  region  = var.region
  labels  = var.labels

  config {
    environment_size           = var.environment_size
    resilience_mode            = var.resilience_mode
    enable_private_environment = true

    software_config {
      image_version = var.image_version

      # Connections come from Secret Manager, never from the Airflow database or the environment.
      airflow_config_overrides = {
        "secrets-backend" = "airflow.providers.google.cloud.secrets.secret_manager.CloudSecretManagerBackend"
        "secrets-backend_kwargs" = jsonencode({
          connections_prefix = var.connections_prefix
          sep                = "-"
          project_id         = var.secrets_project_id
        })
        "core-dags_are_paused_at_creation" = "True"
      }

      # Defaults of the DAG's params (dags/fcm_recon_daily.py). The work folder is on the environment bucket's
      # /home/airflow/gcs/data, which every worker mounts: the stages hand over through files there.
      env_variables = {
        FCM_RECON_LANDING                   = var.pipeline_settings.landing
        FCM_RECON_WAREHOUSE                 = var.pipeline_settings.warehouse
        FCM_RECON_WORK_DIR                  = "/home/airflow/gcs/data/work"
        FCM_RECON_LOADER_SERVICE_ACCOUNT    = var.pipeline_settings.loader_account
        FCM_RECON_PUBLISHER_SERVICE_ACCOUNT = var.pipeline_settings.publisher_account
      }
    }

    node_config {
      service_account = var.service_account.email
    }

    encryption_config {
      kms_key_name = var.kms_key_id
    }
  }

  depends_on = [google_service_account_iam_member.composer_agent]
}
