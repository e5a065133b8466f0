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

  # No retries: the next run, a minute later, does the same work.
  retry_config {
    retry_count = 0
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
