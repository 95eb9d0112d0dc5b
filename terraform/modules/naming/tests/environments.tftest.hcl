# Environment rules: what prod must have and dev may leave out, and the names both derive.

variables {
  environment              = "prod"
  project_id               = "acme-fcm-data"
  orchestration_project_id = "acme-fcm-orch"
  region                   = "us-east4"
  retention_years          = 7
  retention_locked         = true
  landing_days             = 45
  notification_emails      = ["oncall@example.com"]
}

run "prod_names_and_sizes" {
  command = plan

  assert {
    condition     = output.audit_bucket_name == "acme-fcm-data-fcm-recon-audit"
    error_message = "the audit bucket is named after the data project, got ${output.audit_bucket_name}."
  }
  assert {
    condition     = output.labels == { application = "fcm-recon", environment = "prod" }
    error_message = "every resource is labelled with the application and the environment."
  }
  assert {
    condition     = output.composer_environment_size == "ENVIRONMENT_SIZE_MEDIUM" && output.composer_resilience_mode == "HIGH_RESILIENCE"
    error_message = "prod runs a medium, highly resilient Composer environment."
  }
  assert {
    condition     = alltrue([for id in values(output.service_account_ids) : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", id))])
    error_message = "every service account id must be a valid account_id (6-30 characters)."
  }
}

run "prod_refuses_an_unlocked_retention" {
  command = plan

  variables {
    retention_locked = false
  }

  expect_failures = [var.retention_locked]
}

run "prod_refuses_no_one_to_notify" {
  command = plan

  variables {
    notification_emails = []
  }

  expect_failures = [var.notification_emails]
}

run "dev_may_leave_retention_unlocked_and_notify_no_one" {
  command = plan

  variables {
    environment         = "dev"
    retention_locked    = false
    notification_emails = []
  }

  assert {
    condition     = !output.retention_locked && output.composer_environment_size == "ENVIRONMENT_SIZE_SMALL"
    error_message = "dev may run unlocked, on a small environment."
  }
}

run "dev_keeps_seven_years_too" {
  command = plan

  variables {
    environment      = "dev"
    retention_locked = false
    retention_years  = 3
  }

  expect_failures = [var.retention_years]
}

run "orchestration_shares_no_project_with_data" {
  command = plan

  variables {
    orchestration_project_id = "acme-fcm-data"
  }

  expect_failures = [var.orchestration_project_id]
}

run "records_stay_in_the_united_states" {
  command = plan

  variables {
    region = "europe-west1"
  }

  expect_failures = [var.region]
}

run "unknown_environment_refused" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment]
}

run "landing_keeps_files_a_month" {
  command = plan

  variables {
    landing_days = 7
  }

  expect_failures = [var.landing_days]
}
