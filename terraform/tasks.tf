# The Cloud Tasks queues: revoke and fallback, each as var.queue_shards queues
# (local.queue_shards). The functions create the tasks themselves
# (shared/tasks/scheduler.ts: deterministic names, HTTP target = REVOKE_URL /
# FALLBACK_URL, OIDC token of TASKS_SERVICE_ACCOUNT with the URL as audience);
# the queues hold the retry policy and the rate limits.
#
# The handlers answer 2xx for done or failed-for-good and 429/5xx for "retry";
# max_attempts is the same value the handlers get as REVOKE_MAX_ATTEMPTS /
# FALLBACK_MAX_ATTEMPTS (local.queues), so the last try records a final outcome.
# A deleted queue's name cannot be reused for about 7 days.

resource "google_cloud_tasks_queue" "queue" {
  for_each = local.queue_shards

  project  = var.project_id
  location = var.region
  name     = each.value.name

  retry_config {
    max_attempts  = each.value.retry.max_attempts
    min_backoff   = each.value.retry.min_backoff
    max_backoff   = each.value.retry.max_backoff
    max_doublings = each.value.retry.max_doublings
  }

  rate_limits {
    max_dispatches_per_second = each.value.rate_limits.max_dispatches_per_second
    max_concurrent_dispatches = each.value.rate_limits.max_concurrent_dispatches
  }

  lifecycle {
    # Cloud Tasks' own limits, per queue: past them, more shards.
    precondition {
      condition     = each.value.rate_limits.max_dispatches_per_second <= 500 && each.value.rate_limits.max_concurrent_dispatches <= 5000
      error_message = "Queue ${each.value.name} would get ${each.value.rate_limits.max_dispatches_per_second} dispatches/s and ${each.value.rate_limits.max_concurrent_dispatches} concurrent; one queue allows 500 and 5000: raise queue_shards."
    }
  }

  # Log failed and successful dispatches (sampled) so a retry storm is visible.
  stackdriver_logging_config {
    sampling_ratio = 0.1
  }

  depends_on = [google_project_service.apis]
}
