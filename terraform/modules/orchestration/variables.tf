variable "project_id" {
  description = "Orchestration project (not the data project: modules/naming refuses the same one)."
  type        = string
}

variable "region" {
  description = "Region of the environment (the key's region)."
  type        = string
}

variable "name" {
  description = "Environment name (modules/naming composer_environment_name)."
  type        = string
}

variable "image_version" {
  description = "Cloud Composer 3 image with Airflow 3, e.g. composer-3-airflow-3.1.0-build.3; the DAGs use only the airflow.sdk interface."
  type        = string
  validation {
    condition     = can(regex("^composer-3-airflow-3\\.[0-9]+\\.[0-9]+(-build\\.[0-9]+)?$", var.image_version))
    error_message = "image_version must be a Cloud Composer 3 image with Airflow 3 (composer-3-airflow-3.x.y[-build.n])."
  }
}

variable "environment_size" {
  description = "Composer environment size preset (modules/naming composer_environment_size)."
  type        = string
  validation {
    condition     = contains(["ENVIRONMENT_SIZE_SMALL", "ENVIRONMENT_SIZE_MEDIUM", "ENVIRONMENT_SIZE_LARGE"], var.environment_size)
    error_message = "environment_size must be ENVIRONMENT_SIZE_SMALL, _MEDIUM or _LARGE."
  }
}

variable "resilience_mode" {
  description = "STANDARD_RESILIENCE or HIGH_RESILIENCE (modules/naming composer_resilience_mode)."
  type        = string
  validation {
    condition     = contains(["STANDARD_RESILIENCE", "HIGH_RESILIENCE"], var.resilience_mode)
    error_message = "resilience_mode must be STANDARD_RESILIENCE or HIGH_RESILIENCE."
  }
}

variable "service_account" {
  description = "The orchestrator's service account: email and id (modules/iam)."
  type = object({
    email = string
    id    = string
  })
}

variable "kms_key_id" {
  description = "Customer-managed key of the environment's data (its bucket, database and logs)."
  type        = string
}

variable "connections_prefix" {
  description = "Secret id prefix of Airflow connections in Secret Manager (modules/secrets)."
  type        = string
}

variable "secrets_project_id" {
  description = "Project whose Secret Manager holds the connections (the data project)."
  type        = string
}

variable "pipeline_settings" {
  description = "The DAG parameters' defaults: landing gs:// root, bigquery://project/dataset warehouse, and the loader's and publisher's service account emails."
  type = object({
    landing           = string
    warehouse         = string
    loader_account    = string
    publisher_account = string
  })
  validation {
    condition     = startswith(var.pipeline_settings.landing, "gs://") && startswith(var.pipeline_settings.warehouse, "bigquery://")
    error_message = "landing must be a gs:// URL and warehouse a bigquery://project/dataset target."
  }
}

variable "labels" {
  description = "Labels of the environment (modules/naming labels)."
  type        = map(string)
}
