variable "project_id" {
  description = "Data project: the loader and publisher live here, with the buckets and datasets they use."
  type        = string
}

variable "orchestration_project_id" {
  description = "Project of the Composer environment, where the orchestrator lives."
  type        = string
}

variable "service_account_ids" {
  description = "account_id of each workload's service account, by duty (modules/naming service_account_ids)."
  type        = map(string)
  validation {
    condition     = toset(keys(var.service_account_ids)) == toset(["orchestrator", "loader", "publisher"])
    error_message = "service_account_ids must name exactly the orchestrator, loader and publisher."
  }
}

variable "bucket_names" {
  description = "Names of the landing and audit buckets (modules/landing_bucket)."
  type = object({
    landing = string
    audit   = string
  })
}

variable "dataset_ids" {
  description = "Ids of the staging and marts datasets (modules/warehouse)."
  type = object({
    staging = string
    marts   = string
  })
}

variable "landing_writers" {
  description = "Identities that deliver files to the landing bucket (a transfer job's or SFTP gateway's service account); they may create objects, never read or delete."
  type        = list(string)
  validation {
    condition     = alltrue([for member in var.landing_writers : startswith(member, "serviceAccount:")])
    error_message = "landing_writers must be service accounts (serviceAccount:...)."
  }
}

variable "mart_readers" {
  description = "Groups that read the warehouse (finance, compliance, on-call); read only."
  type        = list(string)
  validation {
    condition     = alltrue([for member in var.mart_readers : startswith(member, "group:")])
    error_message = "mart_readers must be groups (group:...): access follows membership, never one person or the public."
  }
}
