variable "project_id" {
  description = "Data project holding the secrets."
  type        = string
}

variable "location" {
  description = "Region the secrets are replicated in (user-managed, one region: the key's)."
  type        = string
}

variable "connection_ids" {
  description = "Airflow connection ids kept in Secret Manager (for example bank_sftp, cme_sftp); values are added out of band, never in code."
  type        = set(string)
  validation {
    condition     = alltrue([for id in var.connection_ids : can(regex("^[a-z][a-z0-9_]{0,62}$", id))])
    error_message = "connection_ids must be lowercase Airflow connection ids (letters, digits, underscores)."
  }
}

variable "connections_prefix" {
  description = "Prefix of the secret ids, as Airflow's Secret Manager backend looks them up (<prefix>-<conn_id>)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,40}$", var.connections_prefix))
    error_message = "connections_prefix must be lowercase letters, digits and hyphens."
  }
}

variable "kms_key_id" {
  description = "Customer-managed key encrypting the secrets' payloads."
  type        = string
}

variable "accessor_member" {
  description = "The only identity that reads the secrets: the orchestrator (Airflow resolves connections)."
  type        = string
  validation {
    condition     = startswith(var.accessor_member, "serviceAccount:")
    error_message = "accessor_member must be a service account."
  }
}

variable "labels" {
  description = "Labels of the secrets (modules/naming labels)."
  type        = map(string)
}
