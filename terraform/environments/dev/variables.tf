variable "settings" {
  description = "This environment's values (terraform.tfvars), passed whole to modules/platform, which types and documents each field."
  type        = any
}
