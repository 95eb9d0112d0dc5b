# The dev environment: modules/platform with this folder's values. The environment name is fixed here, not in
# terraform.tfvars, so that modules/naming applies dev's rules whatever the values say.

module "platform" {
  source = "../../modules/platform"

  environment = "dev"
  settings    = var.settings
}
