# Alert policies for a failed run, a late segregation statement and a segregation deficiency. The last two read the
# pipeline's structured logs (JSON lines, one object per event; the fields are listed in README.md).

resource "google_monitoring_notification_channel" "email" {
  for_each = toset(var.notification_emails)

  project      = var.project_id
  display_name = "fcm-recon ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

locals {
  channels = [for channel in google_monitoring_notification_channel.email : channel.id]
}

resource "google_logging_metric" "statement_late" {
  project = var.project_id
  name    = "fcm_recon/statement_late"
  filter  = "jsonPayload.event=\"run_summary\" AND jsonPayload.statement_ready_by_deadline=false"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_logging_metric" "deficiency" {
  project = var.project_id
  name    = "fcm_recon/seg_deficiency"
  filter  = "jsonPayload.event=\"seg_alert\" AND jsonPayload.code=\"DEFICIENCY\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "seg_class"
      value_type  = "STRING"
      description = "SEG, SECURED or CLEARED_SWAPS"
    }
  }
  label_extractors = {
    seg_class = "EXTRACT(jsonPayload.seg_class)"
  }
}

locals {
  # One alert policy per row; each fires on any count above zero in a 5-minute window.
  alert_policies = {
    run_failed = {
      display_name = "fcm-recon: daily run failed"
      severity     = "ERROR"
      condition    = "a ${var.dag_id} DAG run failed"
      filter       = "resource.type=\"cloud_composer_workflow\" AND metric.type=\"composer.googleapis.com/workflow/run_count\" AND metric.label.state=\"failed\" AND resource.label.workflow_name=\"${var.dag_id}\""
      content      = "A run of ${var.dag_id} failed. Its failure callback logged what is missing; re-run the business date after fixing it (a re-run replaces the date's partitions)."
    }
    statement_late = {
      display_name = "fcm-recon: segregation statement late"
      severity     = "CRITICAL"
      condition    = "a run finished after the statement deadline"
      filter       = "resource.type=\"cloud_composer_environment\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.statement_late.name}\""
      content      = "The daily segregation statements were not ready by their deadline (noon of the next business day, 17 CFR 1.32). Compliance must be told at once."
    }
    deficiency = {
      display_name = "fcm-recon: segregation deficiency"
      severity     = "CRITICAL"
      condition    = "a DEFICIENCY alert was raised"
      filter       = "resource.type=\"cloud_composer_environment\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.deficiency.name}\""
      content      = "A class's funds in segregation are below its requirement. The FCM must notify the CFTC and its DSRO immediately (17 CFR 1.12); the statement lines and their drill-down are in the warehouse."
    }
  }
}

resource "google_monitoring_alert_policy" "alert" {
  for_each = local.alert_policies

  project               = var.project_id
  display_name          = each.value.display_name
  combiner              = "OR"
  severity              = each.value.severity
  notification_channels = local.channels
  user_labels           = var.labels

  conditions {
    display_name = each.value.condition
    condition_threshold {
      filter          = each.value.filter
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = each.value.content
  }
}
