# rbm-lifecycle on Google Cloud: six Cloud Run functions (gen2) from one
# source archive, two Cloud Tasks queues, a Scheduler job, Firestore TTL
# policies and indexes, and least-privilege service accounts.
#
#   main.tf       the functions table and every environment variable they get
#   source.tf     the one source archive and its bucket
#   functions.tf  the six functions, the outcomes trigger, and who may invoke each
#   iam.tf        service accounts and their roles
#   secrets.tf    Secret Manager access, per function and per secret
#   tasks.tf      the rbm-revoke and rbm-fallback queues
#   scheduler.tf  the every-minute sweep
#   firestore.tf  database, TTL, index exemptions, composite indexes
#   pubsub.tf     the outcomes topic (outcomes.pubsub) and who may publish to it

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # --- Names and URLs ------------------------------------------------------------

  service_names = {
    for name in ["webhook", "messages", "revoke", "fallback", "sweep", "outcomes"] : name => "${var.name_prefix}-${name}"
  }

  # Every function needs REVOKE_URL and FALLBACK_URL (docs/configuration.md,
  # section tasks) - the revoke function its own URL, and revoke and fallback
  # each other's. Reading them from google_cloudfunctions2_function would be a
  # dependency cycle, so they are Cloud Run's deterministic URLs, known before
  # anything is created: https://SERVICE-PROJECT_NUMBER.REGION.run.app
  # ("The deterministic URL lets you predict the service URL before the service
  # is created", https://cloud.google.com/run/docs/triggering/https-request#deterministic).
  # A gen2 function runs as the Cloud Run service of the same name. The same URL
  # is the tasks' OIDC audience (shared/tasks/scheduler.ts).
  # data.google_project is read during plan (its only argument is an input),
  # so the project number, and with it every URL below, is known at plan time
  # once the project exists.
  function_urls = {
    for name, service in local.service_names :
    name => "https://${service}-${data.google_project.this.number}.${var.region}.run.app"
  }

  # The tasks service account's email, built from known inputs instead of read
  # from google_service_account.tasks.email, which is unknown until the account
  # exists. An unknown value in service_config.environment_variables makes the
  # map unknown at plan time and ends in "Provider produced inconsistent final
  # plan" (hashicorp/terraform-provider-google#18747, #22497). A user-managed
  # service account's email is ACCOUNT_ID@PROJECT_ID.iam.gserviceaccount.com
  # (https://cloud.google.com/iam/docs/service-accounts-create); iam.tf creates
  # the account with this same account_id.
  tasks_account_id    = "${var.name_prefix}-tasks-invoker"
  tasks_account_email = "${local.tasks_account_id}@${var.project_id}.iam.gserviceaccount.com"

  rbm_api_base_url = (
    var.rbm_region == "global"
    ? "https://rcsbusinessmessaging.googleapis.com"
    : "https://${var.rbm_region}-rcsbusinessmessaging.googleapis.com"
  )
  # Capability checks go to the number's regional host, whatever rbm_region is
  # (users.batchGet must; Google recommends it for every call): docs/rbm-platform.md#regions.
  rbm_regional_base_url_template = "https://{region}-rcsbusinessmessaging.googleapis.com"

  # One value per queue setting: the queue's retry_config.max_attempts and the
  # handlers' REVOKE_MAX_ATTEMPTS / FALLBACK_MAX_ATTEMPTS both read retry.max_attempts.
  queues = {
    revoke = {
      name        = "${var.name_prefix}-revoke"
      retry       = var.queue_retry.revoke
      rate_limits = var.queue_rate_limits.revoke
    }
    fallback = {
      name        = "${var.name_prefix}-fallback"
      retry       = var.queue_retry.fallback
      rate_limits = var.queue_rate_limits.fallback
    }
  }

  # Each kind of task spread over var.queue_shards queues by a hash of the message
  # id (shared/tasks/names.ts): one queue dispatches at most 500 tasks a second.
  # Shard 0 keeps the kind's own key and name, so raising the count keeps the
  # first queue; the rate limits are totals over the shards, split evenly.
  queue_shards = merge([
    for kind, queue in local.queues : {
      for shard in range(var.queue_shards) : (shard == 0 ? kind : "${kind}-${shard}") => {
        kind  = kind
        name  = shard == 0 ? queue.name : "${queue.name}-${shard}"
        retry = queue.retry
        rate_limits = {
          max_dispatches_per_second = queue.rate_limits.max_dispatches_per_second / var.queue_shards
          max_concurrent_dispatches = ceil(queue.rate_limits.max_concurrent_dispatches / var.queue_shards)
        }
      }
    }
  ]...)

  # --- Environment, by section of shared/config/schema.ts ---------------------------
  # A function gets the variables of exactly the sections it loads
  # (createRuntime(name, sections) in functions/<name>/index.ts). No secret is
  # ever in here. Every value is known at plan time: inputs, locals built from
  # inputs, and data.google_project (read during plan). Unset optional settings
  # are null and left out (env_unset), so the schema's defaults apply.

  env_by_section = {
    core = {
      GOOGLE_CLOUD_PROJECT = var.project_id
      FIRESTORE_DATABASE   = var.firestore.database_id
      LOG_LEVEL            = var.log_level
      RETENTION_DAYS       = tostring(var.retention_days)
      OUTCOME_PUSH         = tostring(var.outcomes.enabled)
    }
    rbm = {
      RBM_AGENT_ID     = var.agent_id
      RBM_API_BASE_URL = local.rbm_api_base_url
      RBM_TIMEOUT_MS   = tostring(var.rbm_timeout_ms)
    }
    capabilities = {
      CAPABILITY_CHECK               = var.capability_check
      CAPABILITY_CHECK_TIMEOUT_MS    = tostring(var.capability_check_timeout_ms)
      RBM_REGIONAL_BASE_URL_TEMPLATE = local.rbm_regional_base_url_template
      RBM_REGION_BY_CALLING_CODE     = join(",", [for prefix, region in var.rbm_region_by_calling_code : "${prefix}=${region}"])
    }
    webhook = {
      WEBHOOK_MAX_BODY_BYTES = tostring(var.webhook_max_body_bytes)
      WEBHOOK_READ_RECEIPTS  = tostring(var.webhook_read_receipts)
    }
    tasks = {
      TASKS_LOCATION        = var.region
      REVOKE_QUEUE          = local.queues.revoke.name
      FALLBACK_QUEUE        = local.queues.fallback.name
      QUEUE_SHARDS          = tostring(var.queue_shards)
      REVOKE_URL            = local.function_urls.revoke
      FALLBACK_URL          = local.function_urls.fallback
      TASKS_SERVICE_ACCOUNT = local.tasks_account_email
    }
    revokeTarget = {
      REVOKE_MAX_ATTEMPTS = tostring(local.queues.revoke.retry.max_attempts)
    }
    fallbackTarget = {
      FALLBACK_MAX_ATTEMPTS = tostring(local.queues.fallback.retry.max_attempts)
    }
    # The provider's own settings: the other provider's are null, and so are
    # unset optional ones. Only this section has nulls, and only from inputs.
    sms = {
      SMS_PROVIDER                 = var.sms_provider
      SMS_TIMEOUT_MS               = tostring(var.sms.timeout_ms)
      SMS_HTTP_URL                 = var.sms_provider == "http" ? var.sms.http_url : null
      TWILIO_ACCOUNT_SID           = var.sms_provider == "twilio" ? var.sms.twilio_account_sid : null
      TWILIO_FROM                  = var.sms_provider == "twilio" ? var.sms.twilio_from : null
      TWILIO_MESSAGING_SERVICE_SID = var.sms_provider == "twilio" ? var.sms.twilio_messaging_service_sid : null
      TWILIO_BASE_URL              = var.sms_provider == "twilio" ? var.sms.twilio_base_url : null
    }
    sweep = {
      SWEEP_BOUND_SECONDS = tostring(var.sweep_bound_seconds)
      SWEEP_BATCH_SIZE    = tostring(var.sweep_batch_size)
    }
    # The deployment's callback URL is optional (messages may name their own): "" (the
    # default) leaves it out through env_unset, like the sms section's nulls.
    outcomes = {
      OUTCOME_CALLBACK_URL    = var.outcomes.callback_url
      OUTCOME_TIMEOUT_MS      = tostring(var.outcomes.timeout_ms)
      OUTCOME_MAX_ATTEMPTS    = tostring(var.outcomes.max_attempts)
      OUTCOME_MAX_AGE_HOURS   = tostring(var.outcomes.max_age_hours)
      OUTCOME_REDRIVE_SECONDS = tostring(var.outcomes.redrive_seconds)
      OUTCOME_PUBSUB_TOPIC    = "projects/${var.project_id}/topics/${local.outcomes_topic_name}"
    }
    ingestion = {
      INGESTION_LAG_TOLERANCE_SECONDS = tostring(var.ingestion_lag_tolerance_seconds)
      INGESTION_ACTIVE_WITHIN_SECONDS = tostring(var.ingestion_active_within_seconds)
      INGESTION_RECHECK_SECONDS       = tostring(var.ingestion_recheck_seconds)
      INGESTION_MAX_DEFER_SECONDS     = tostring(var.ingestion_max_defer_seconds)
    }
  }

  # The variables left out of every function's environment: the sms section's
  # nulls. The filter in functions.tf tests keys against this list, never the
  # merged values, and this list looks only at values computed from inputs, so
  # no unknown value can make a function's environment unknown at plan time
  # (hashicorp/terraform-provider-google#18747, #22497).
  env_unset = concat(
    [for key, value in local.env_by_section.sms : key if value == null],
    var.outcomes.callback_url == "" ? ["OUTCOME_CALLBACK_URL"] : [],
    var.outcomes.enabled && var.outcomes.pubsub ? [] : ["OUTCOME_PUBSUB_TOPIC"],
  )

  # Secret environment variables (secretNames in shared/config/schema.ts) and the
  # Secret Manager secret each one is mounted from; null = not configured.
  secret_refs = {
    RBM_CLIENT_TOKEN          = var.secrets.rbm_client_token
    RBM_CLIENT_TOKEN_PREVIOUS = var.secrets.rbm_client_token_previous
    RBM_SERVICE_ACCOUNT_KEY   = var.secrets.rbm_service_account_key
    SMS_HTTP_SECRET           = var.sms_provider == "http" ? var.secrets.sms_http_secret : null
    TWILIO_AUTH_TOKEN         = var.sms_provider == "twilio" ? var.secrets.twilio_auth_token : null
    OUTCOME_SIGNING_SECRET    = var.outcomes.enabled ? var.secrets.outcome_signing_secret : null
  }

  # --- The functions ------------------------------------------------------------------
  # sections: config sections loaded (functions/<name>/index.ts)
  # secrets:  secret env vars mounted; access is granted on exactly those secrets
  # enqueues: queues it creates tasks in (roles/cloudtasks.enqueuer on the queue,
  #           and actAs on the tasks service account whose OIDC token the task carries)
  # cancels:  queues it deletes tasks from (the webhook cancels the deadline task on DELIVERED)

  functions = {
    webhook = {
      description = "RBM webhook (public): clientToken handshake, X-Goog-Signature check, stores every event once, advances the message, cancels the pending revoke on delivery."
      sections    = ["core", "rbm", "webhook", "tasks", "ingestion"]
      # The RBM key is used only to send READ receipts (functions/webhook/index.ts).
      secrets  = concat(["RBM_CLIENT_TOKEN", "RBM_CLIENT_TOKEN_PREVIOUS"], var.webhook_read_receipts ? ["RBM_SERVICE_ACCOUNT_KEY"] : [])
      enqueues = ["revoke", "fallback"]
      cancels  = ["revoke"]
      ingress  = "ALLOW_ALL"
    }
    messages = {
      description = "Messages API (private, IAM): send or register a message with a deadline and a fallback (after a capability check when asked), read one, revoke now."
      sections    = ["core", "rbm", "tasks", "capabilities"]
      secrets     = ["RBM_SERVICE_ACCOUNT_KEY"]
      enqueues    = ["revoke", "fallback"]
      cancels     = []
      ingress     = var.messages_ingress
    }
    revoke = {
      description = "Cloud Tasks target (private, OIDC): at the deadline skip if delivered, else DELETE, record, confirm after the grace period, hand over to fallback."
      sections    = ["core", "rbm", "tasks", "revokeTarget", "ingestion"]
      secrets     = ["RBM_SERVICE_ACCOUNT_KEY"]
      enqueues    = ["revoke", "fallback"]
      cancels     = []
      ingress     = var.internal_only_task_targets ? "ALLOW_INTERNAL_ONLY" : "ALLOW_ALL"
    }
    fallback = {
      description = "Cloud Tasks target (private, OIDC): sends the SMS fallback through the configured provider, once."
      sections    = ["core", "sms", "fallbackTarget"]
      secrets     = ["SMS_HTTP_SECRET", "TWILIO_AUTH_TOKEN"]
      enqueues    = []
      cancels     = []
      ingress     = var.internal_only_task_targets ? "ALLOW_INTERNAL_ONLY" : "ALLOW_ALL"
    }
    sweep = {
      description = "Cloud Scheduler target (private, OIDC): re-drives messages past due with no outcome (lost task, crash between steps), and outcome pushes whose event was lost."
      sections    = ["core", "tasks", "sweep", "outcomes"]
      secrets     = ["OUTCOME_SIGNING_SECRET"]
      enqueues    = ["revoke", "fallback"]
      cancels     = []
      ingress     = var.internal_only_task_targets ? "ALLOW_INTERNAL_ONLY" : "ALLOW_ALL"
    }
    outcomes = {
      description = "Eventarc target (private): for each document created in the outcomes outbox, pushes the signed outcome to the business's callback URL; a refusal is retried by Eventarc (docs/outcomes.md)."
      sections    = ["core", "outcomes"]
      secrets     = ["OUTCOME_SIGNING_SECRET"]
      enqueues    = []
      cancels     = []
      # Eventarc's deliveries count as internal traffic.
      ingress = var.internal_only_task_targets ? "ALLOW_INTERNAL_ONLY" : "ALLOW_ALL"
    }
  }

  # Who may invoke each function (roles/run.invoker on its Cloud Run service).
  # Keys are static labels so for_each keys are known at plan time.
  invokers = {
    # Public: RBM cannot present Google credentials; the function verifies the
    # clientToken handshake and X-Goog-Signature itself (docs/architecture.md).
    webhook  = { public = "allUsers" }
    messages = { for member in toset(var.messages_invokers) : member => member }
    revoke   = { tasks = google_service_account.tasks.member }
    fallback = { tasks = google_service_account.tasks.member }
    sweep    = { scheduler = google_service_account.scheduler.member }
    outcomes = { eventarc = google_service_account.eventarc.member }
  }

  # Sizing. Concurrency above 1 needs at least 1 vCPU. The task targets' timeouts
  # stay well above RBM_TIMEOUT_MS / SMS_TIMEOUT_MS; Cloud Tasks waits up to its
  # 10-minute default dispatch deadline, so the function timeout is what bounds a try.
  function_defaults = {
    webhook  = { memory = "512Mi", cpu = "1", timeout_seconds = 60, min_instances = 0, max_instances = 100, concurrency = 80 }
    messages = { memory = "512Mi", cpu = "1", timeout_seconds = 60, min_instances = 0, max_instances = 100, concurrency = 80 }
    revoke   = { memory = "512Mi", cpu = "1", timeout_seconds = 60, min_instances = 0, max_instances = 100, concurrency = 80 }
    fallback = { memory = "512Mi", cpu = "1", timeout_seconds = 60, min_instances = 0, max_instances = 50, concurrency = 80 }
    sweep    = { memory = "512Mi", cpu = "1", timeout_seconds = 120, min_instances = 0, max_instances = 1, concurrency = 1 }
    outcomes = { memory = "256Mi", cpu = "1", timeout_seconds = 60, min_instances = 0, max_instances = 50, concurrency = 80 }
  }

  function_settings = {
    for name, d in local.function_defaults : name => {
      memory          = coalesce(try(var.function_settings[name].memory, null), d.memory)
      cpu             = coalesce(try(var.function_settings[name].cpu, null), d.cpu)
      timeout_seconds = coalesce(try(var.function_settings[name].timeout_seconds, null), d.timeout_seconds)
      min_instances   = coalesce(try(var.function_settings[name].min_instances, null), d.min_instances)
      max_instances   = coalesce(try(var.function_settings[name].max_instances, null), d.max_instances)
      concurrency     = coalesce(try(var.function_settings[name].concurrency, null), d.concurrency)
    }
  }

  # The outcomes topic (pubsub.tf): its name is known from inputs, so the environment is too.
  outcomes_topic_name = "${var.name_prefix}-outcomes"

  # Where the outcomes trigger lives: the Firestore database's location.
  outcomes_trigger_region = var.outcomes.trigger_region != null ? var.outcomes.trigger_region : var.firestore.location_id

  # The SMS provider's required settings (the sms section's own check in
  # shared/config/schema.ts), checked at plan time instead of at cold start.
  sms_configured = (
    var.sms_provider == "http"
    ? var.sms.http_url != null && var.secrets.sms_http_secret != null
    : var.sms.twilio_account_sid != null && var.secrets.twilio_auth_token != null && (var.sms.twilio_from != null || var.sms.twilio_messaging_service_sid != null)
  )

  # --- APIs ------------------------------------------------------------------------------

  # cloudresourcemanager serves data.google_project (projects.get) and every
  # google_project_iam_member (get/setIamPolicy on the project). The data source
  # is read during plan, before anything here is enabled, so this API must
  # already be on for the first plan (docs/deploy.md, APIs); it is listed so the
  # module's own dependency is on record and stays enabled.
  services = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudtasks.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
}

resource "google_project_service" "apis" {
  for_each = var.enable_apis ? toset(local.services) : toset([])

  project = var.project_id
  service = each.value
  # Never switch an API off for the whole project on destroy.
  disable_on_destroy = false
}
