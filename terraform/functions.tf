# The six Cloud Run functions (Cloud Functions v2 API), one resource per entry
# point, all built from the same archive. Each runs as its own service account
# (iam.tf) and gets exactly the environment of the config sections it loads
# (main.tf) plus its secrets, mounted from Secret Manager (secrets.tf).

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = local.service_names[each.key]
  description = each.value.description
  labels      = var.labels

  build_config {
    runtime     = "nodejs24"
    entry_point = each.key
    # The Cloud Build identity; null keeps the project's default.
    service_account = var.create_build_service_account ? google_service_account.build[0].id : null
    # Production install only, whatever scripts package.json grows (source.tf).
    environment_variables = {
      NODE_ENV = "production"
    }

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.fn[each.key].email
    ingress_settings                 = each.value.ingress
    all_traffic_on_latest_revision   = true
    available_memory                 = local.function_settings[each.key].memory
    available_cpu                    = local.function_settings[each.key].cpu
    timeout_seconds                  = local.function_settings[each.key].timeout_seconds
    min_instance_count               = local.function_settings[each.key].min_instances
    max_instance_count               = local.function_settings[each.key].max_instances
    max_instance_request_concurrency = local.function_settings[each.key].concurrency

    # Plain variables: the function's config sections (main.tf), minus the
    # unset ones (local.env_unset), so the schema's defaults apply. The filter
    # is on keys against a list known at plan time, not on the values, so the
    # map is known at plan time too. Secrets never appear here (precondition below).
    environment_variables = {
      for key, value in merge([for section in each.value.sections : local.env_by_section[section]]...) :
      key => value if !contains(local.env_unset, key)
    }

    # Secrets, mounted from Secret Manager at instance start; the values never
    # pass through Terraform (state holds only secret ids and versions).
    dynamic "secret_environment_variables" {
      for_each = {
        for key in each.value.secrets : key => local.secret_refs[key] if local.secret_refs[key] != null
      }
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret
        version    = secret_environment_variables.value.version
      }
    }
  }

  # The outcomes function's trigger (docs/outcomes.md): an Eventarc trigger on documents
  # created in the outcomes outbox, only while outcome push is on. Firestore events come
  # from the database's location, so the trigger is there (trigger_region); delivery is
  # at least once, unordered, and a thrown error is retried (RETRY_POLICY_RETRY: 10 s to
  # 600 s backoff, for the 24 hours Eventarc keeps an event). The trigger's identity may
  # invoke the function (local.invokers) and receive events (iam.tf).
  # https://cloud.google.com/functions/docs/calling/cloud-firestore
  dynamic "event_trigger" {
    for_each = each.key == "outcomes" && var.outcomes.enabled ? [local.outcomes_trigger_region] : []
    content {
      trigger_region        = event_trigger.value
      event_type            = "google.cloud.firestore.document.v1.created"
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.eventarc.email
      event_filters {
        attribute = "database"
        value     = var.firestore.database_id
      }
      event_filters {
        attribute = "document"
        value     = "outcomes/{outcomeId}"
        operator  = "match-path-pattern"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = each.key != "outcomes" || !var.outcomes.enabled || local.outcomes_trigger_region != null
      error_message = "outcomes.enabled needs the Firestore database's location for the trigger: set outcomes.trigger_region (or firestore.location_id)."
    }
    precondition {
      condition     = each.key != "outcomes" || !var.outcomes.enabled || var.secrets.outcome_signing_secret != null
      error_message = "outcomes.enabled needs secrets.outcome_signing_secret, the Secret Manager secret holding the whsec_ signing key."
    }
    precondition {
      condition     = each.key != "fallback" || local.sms_configured
      error_message = "The ${var.sms_provider} SMS provider is not fully configured: http needs sms.http_url and secrets.sms_http_secret; twilio needs sms.twilio_account_sid, secrets.twilio_auth_token and sms.twilio_from or sms.twilio_messaging_service_sid."
    }
    precondition {
      condition = length(setintersection(
        keys(merge([for section in each.value.sections : local.env_by_section[section]]...)),
        keys(local.secret_refs),
      )) == 0
      error_message = "A secret variable is in the plain environment of ${each.key}; secrets go through secret_environment_variables only."
    }
    precondition {
      condition     = local.function_settings[each.key].concurrency == 1 || tonumber(local.function_settings[each.key].cpu) >= 1
      error_message = "${each.key}: concurrency above 1 needs at least 1 CPU."
    }
  }

  # The grants come first, and then a wait: the build identity reads the source
  # and writes the image (google_project_iam_member.build), and a revision that
  # mounts a secret does not start unless its identity may read it. IAM changes
  # are eventually consistent ("typically 2 minutes",
  # https://cloud.google.com/iam/docs/access-change-propagation), so ordering
  # alone cannot promise a new grant is in effect when the build starts seconds
  # later (time_sleep.iam_propagation, below).
  depends_on = [
    google_project_service.apis,
    google_cloud_tasks_queue.queue,
    google_project_iam_member.eventarc_receiver,
    time_sleep.iam_propagation,
  ]
}

# Waits once after the grants the functions need at build and start, so a first
# apply succeeds without a re-run. The provider's own build-service-account
# example for Cloud Functions waits 60s with time_sleep after the grants, and
# its test of that case waits longer (GoogleCloudPlatform/magic-modules#11909);
# IAM's own figure is "typically 2 minutes". The wait repeats only when the set
# of grants changes (triggers), not on a code change.
resource "time_sleep" "iam_propagation" {
  create_duration = var.iam_propagation_wait

  triggers = {
    secret_grants = join(",", sort(keys(local.secret_grants)))
    functions     = join(",", sort(keys(local.functions)))
    build_account = tostring(var.create_build_service_account)
  }

  depends_on = [
    google_secret_manager_secret_iam_member.accessor,
    google_project_iam_member.firestore_user,
    google_project_iam_member.build,
  ]
}

# Who may invoke each function: roles/run.invoker on the function's Cloud Run
# service. Gen2 functions are authorized by Cloud Run IAM, not by
# roles/cloudfunctions.invoker ("v2 functions also use the Cloud Run Invoker
# role", https://cloud.google.com/functions/docs/securing/authenticating).
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = merge([
    for fn, members in local.invokers : {
      for label, member in members : "${fn}/${label}" => { function = fn, member = member }
    }
  ]...)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member
}
