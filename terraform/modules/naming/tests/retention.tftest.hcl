# Retention arithmetic: a policy of N years covers N calendar years from any start date, leap days included.

variables {
  environment              = "prod"
  project_id               = "acme-fcm-data"
  orchestration_project_id = "acme-fcm-orch"
  region                   = "us-central1"
  retention_years          = 7
  retention_locked         = true
  landing_days             = 45
  notification_emails      = ["oncall@example.com"]
}

run "seven_years_hold_two_leap_days" {
  command = plan

  assert {
    condition     = output.retention_days == 2557
    error_message = "7 years must be 7 * 365 + 2 = 2557 days, got ${output.retention_days}."
  }
  assert {
    condition     = output.retention_period_seconds == 220924800
    error_message = "7 years must be 2557 * 86400 = 220924800 s, got ${output.retention_period_seconds}."
  }
}

run "eight_years_hold_two_leap_days" {
  command = plan

  variables {
    retention_years = 8
  }

  assert {
    condition     = output.retention_days == 8 * 365 + 2
    error_message = "8 years must be 2922 days, got ${output.retention_days}."
  }
}

run "ten_years" {
  command = plan

  variables {
    retention_years = 10
  }

  assert {
    condition     = output.retention_period_seconds == 3653 * 86400
    error_message = "10 years must be 3653 days of seconds, got ${output.retention_period_seconds}."
  }
}

run "fewer_than_seven_years_refused" {
  command = plan

  variables {
    retention_years = 6
  }

  expect_failures = [var.retention_years]
}

run "fractional_years_refused" {
  command = plan

  variables {
    retention_years = 7.5
  }

  expect_failures = [var.retention_years]
}

run "more_than_gcs_maximum_refused" {
  command = plan

  variables {
    retention_years = 101
  }

  expect_failures = [var.retention_years]
}
