# State in a GCS bucket created once by hand (versioned, uniform access), outside this configuration; override with
# -backend-config=bucket=... for another organisation.
terraform {
  backend "gcs" {
    bucket = "fcm-recon-tfstate-dev"
    prefix = "environments/dev"
  }
}
