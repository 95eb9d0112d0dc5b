variable "project_id" {
  description = "Data project holding the datasets."
  type        = string
}

variable "location" {
  description = "Region of the datasets (the key's region)."
  type        = string
}

variable "schema_file" {
  description = "Path of sql/warehouse_schema.yaml, the one schema file the code reads too."
  type        = string
}

variable "marts_dataset_id" {
  description = "Dataset of the warehouse tables (modules/naming marts_dataset_id)."
  type        = string
}

variable "staging_dataset_id" {
  description = "Dataset the loader loads parsed files into before the publisher replaces a date's partitions."
  type        = string
}

variable "staging_table_expiration_days" {
  description = "Days after which a staging table expires; the marts are the record, staging is scratch."
  type        = number
  validation {
    condition     = var.staging_table_expiration_days >= 1 && var.staging_table_expiration_days <= 30 && floor(var.staging_table_expiration_days) == var.staging_table_expiration_days
    error_message = "staging_table_expiration_days must be a whole number of days from 1 to 30."
  }
}

variable "kms_key_id" {
  description = "Customer-managed key encrypting both datasets and every table."
  type        = string
}

variable "labels" {
  description = "Labels of the datasets and tables (modules/naming labels)."
  type        = map(string)
}
