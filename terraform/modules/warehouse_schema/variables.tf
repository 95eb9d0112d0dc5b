variable "schema_file" {
  description = "Path of the project's one warehouse schema file, sql/warehouse_schema.yaml."
  type        = string
  validation {
    condition     = can(yamldecode(file(var.schema_file)).tables)
    error_message = "schema_file must be a readable YAML file with a tables mapping."
  }
}
