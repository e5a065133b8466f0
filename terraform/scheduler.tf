# Lifecycle law 6: every registered message reaches a terminal state by its
# deadline plus a bound, even if a task is lost or a function dies between two
# steps. The sweep closes that gap; Cloud Scheduler calls it every minute with an
# OIDC token of the scheduler service account, the sweep's only invoker.

resource "google_cloud_scheduler_job" "sweep" {
  project     = var.project_id
  region      = var.region
  name        = "${var.name_prefix}-sweep"
  description = "Re-drives rbm-lifecycle messages past due with no outcome (functions/sweep)."
  schedule    = var.sweep_schedule
  time_zone   = "Etc/UTC"
  # HTTP targets allow 15s to 30min; give the sweep its whole function timeout.
  attempt_deadline = "${min(max(local.function_settings.sweep.timeout_seconds, 15), 1800)}s"

  # A run that fails (an instance that crashed mid-run, a 503 while Firestore failed) is tried
  # again after 5, 10 and 20 s, never past the next scheduled run (Scheduler's RetryConfig), so a
  # backlog of overdue messages keeps draining instead of waiting a minute. The local stack's
  # schedule does the same (local/stack/sweep-schedule.ts). A re-run is safe: each re-drive is a
  # transaction that re-checks the message.
  retry_config {
    retry_count          = 3
    min_backoff_duration = "5s"
    max_backoff_duration = "20s"
    max_doublings        = 2
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn["sweep"].service_config[0].uri
    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode("{}")

    # https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/cloud_scheduler_job
    # (oidc_token: "should be used when sending requests to ... Cloud Run").
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.fn["sweep"].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invoker]
}
