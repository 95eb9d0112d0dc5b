# Names, labels, retention arithmetic and environment rules shared by every module. No provider and no resource, so
# `terraform validate` and `terraform test` run it offline.

locals {
  prefix = "fcm-recon"

  # The longest N-year span holds 365 * N days plus one leap day per started four years (ceil(N / 4)), so a policy
  # of this many days covers N calendar years from any start date (7 years: 2,557 days).
  retention_days           = var.retention_years * 365 + ceil(var.retention_years / 4)
  retention_period_seconds = local.retention_days * 86400

  labels = {
    application = local.prefix
    environment = var.environment
  }
}
