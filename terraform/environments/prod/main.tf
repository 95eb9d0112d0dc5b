# The prod environment: modules/platform with this folder's values. The environment name is fixed here, not in
# terraform.tfvars, so that modules/naming applies prod's rules whatever the values say.

module "platform" {
  source = "../../modules/platform"

  environment = "prod"
  settings    = var.settings
}
