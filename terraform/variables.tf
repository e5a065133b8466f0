# Inputs of the rbm-lifecycle module. Every environment variable the functions
# read (docs/configuration.md) is derived from these; secrets are only ever
# named here (Secret Manager ids), never given as values.

# --- Project and placement -----------------------------------------------------

variable "project_id" {
  description = "Google Cloud project that hosts the functions, queues, Scheduler job and Firestore database (GOOGLE_CLOUD_PROJECT)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id: 6 to 30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the functions, the Cloud Tasks queues (TASKS_LOCATION), the Scheduler job and the source bucket."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Cloud region such as us-central1 or europe-west1."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name: functions are <prefix>-webhook, ..., queues <prefix>-revoke and <prefix>-fallback. At most 12 characters, so service-account ids and deterministic Cloud Run URLs stay within their limits."
  type        = string
  default     = "rbm"

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$", var.name_prefix))
    error_message = "name_prefix must be 1 to 12 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "labels" {
  description = "Labels put on the functions and the source bucket."
  type        = map(string)
  default     = {}
}

variable "enable_apis" {
  description = "Enable the Google APIs the module uses (google_project_service, never disabled on destroy). Set to false when the project's APIs are managed elsewhere; docs/deploy.md lists them."
  type        = bool
  default     = true
}

# --- RBM -----------------------------------------------------------------------

variable "agent_id" {
  description = "The default RBM agent id (RBM_AGENT_ID); a message may name its own."
  type        = string

  validation {
    condition     = length(trimspace(var.agent_id)) > 0 && !can(regex("\\s", var.agent_id))
    error_message = "agent_id must be a non-empty RBM agent id without whitespace."
  }
}

variable "rbm_region" {
  description = "RBM API region: global, us, europe or asia. Sets RBM_API_BASE_URL to https://rcsbusinessmessaging.googleapis.com or https://<region>-rcsbusinessmessaging.googleapis.com."
  type        = string
  default     = "global"

  validation {
    condition     = contains(["global", "us", "europe", "asia"], var.rbm_region)
    error_message = "rbm_region must be one of global, us, europe, asia."
  }
}

variable "capability_check" {
  description = "CAPABILITY_CHECK: \"on\" asks the platform (phones.getCapabilities, on the number's regional host) before every send that does not say otherwise, so a number not reachable over RBM goes straight to its SMS; \"off\" checks only messages that ask (capabilityCheck: true)."
  type        = string
  default     = "off"

  validation {
    condition     = contains(["off", "on"], var.capability_check)
    error_message = "capability_check must be off or on."
  }
}

variable "capability_check_timeout_ms" {
  description = "Bound on the capability check before a send, in milliseconds (CAPABILITY_CHECK_TIMEOUT_MS); past it the message is sent as without one."
  type        = number
  default     = 2000

  validation {
    condition     = var.capability_check_timeout_ms >= 100 && var.capability_check_timeout_ms == floor(var.capability_check_timeout_ms)
    error_message = "capability_check_timeout_ms must be a whole number of milliseconds, at least 100."
  }
}

variable "rbm_region_by_calling_code" {
  description = "Overrides of the default E.164 calling-code to RBM region table (RBM_REGION_BY_CALLING_CODE), e.g. { \"7\" = \"asia\" }: which regional host a number's capability checks go to. Google publishes no table; see docs/rbm-platform.md#regions."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for prefix, region in var.rbm_region_by_calling_code :
      can(regex("^[1-9][0-9]{0,3}$", prefix)) && contains(["us", "europe", "asia"], region)
    ])
    error_message = "rbm_region_by_calling_code maps calling codes (1 to 4 digits) to us, europe or asia."
  }
}

variable "rbm_timeout_ms" {
  description = "Bound on every RBM API call, in milliseconds (RBM_TIMEOUT_MS)."
  type        = number
  default     = 10000

  validation {
    condition     = var.rbm_timeout_ms >= 1000 && var.rbm_timeout_ms == floor(var.rbm_timeout_ms)
    error_message = "rbm_timeout_ms must be a whole number of milliseconds, at least 1000."
  }
}

variable "webhook_max_body_bytes" {
  description = "Largest webhook body accepted; larger ones get 413 (WEBHOOK_MAX_BODY_BYTES)."
  type        = number
  default     = 1048576

  validation {
    condition     = var.webhook_max_body_bytes >= 1024 && var.webhook_max_body_bytes <= 33554432 && var.webhook_max_body_bytes == floor(var.webhook_max_body_bytes)
    error_message = "webhook_max_body_bytes must be a whole number between 1024 and 33554432 (Cloud Run's 32 MiB request limit)."
  }
}

variable "webhook_read_receipts" {
  description = "Answer each user message with an agent READ receipt (WEBHOOK_READ_RECEIPTS). Only then does the public webhook get access to the RBM service-account key."
  type        = bool
  default     = false
}

# --- Secrets (ids of existing Secret Manager secrets; never values) --------------

variable "secrets" {
  description = <<-EOT
    Existing Secret Manager secrets in project_id, mounted as environment variables
    (secret_environment_variables): `secret` is the secret id, `version` a version
    number or "latest". Pin numbers to make a rotation a deliberate, redeploying
    change (docs/deploy.md). rbm_client_token_previous may name the same secret as
    rbm_client_token at its older version. sms_http_secret is required when
    sms_provider = "http", twilio_auth_token when sms_provider = "twilio",
    outcome_signing_secret (whsec_<base64>) when outcomes.enabled.
  EOT
  type = object({
    rbm_client_token          = object({ secret = string, version = optional(string, "latest") })
    rbm_client_token_previous = optional(object({ secret = string, version = optional(string, "latest") }))
    rbm_service_account_key   = object({ secret = string, version = optional(string, "latest") })
    sms_http_secret           = optional(object({ secret = string, version = optional(string, "latest") }))
    twilio_auth_token         = optional(object({ secret = string, version = optional(string, "latest") }))
    outcome_signing_secret    = optional(object({ secret = string, version = optional(string, "latest") }))
  })

  validation {
    condition = alltrue([
      for ref in values(var.secrets) : ref == null ? true : (
        can(regex("^[a-zA-Z0-9_-]{1,255}$", ref.secret)) && can(regex("^(latest|[1-9][0-9]*)$", ref.version))
      )
    ])
    error_message = "Each secret must be a Secret Manager secret id (letters, digits, _ and -) and its version \"latest\" or a version number."
  }
}

# --- Outcome push ----------------------------------------------------------------

variable "outcomes" {
  description = <<-EOT
    Pushing every lifecycle outcome to the business (docs/outcomes.md). enabled
    (OUTCOME_PUSH) makes the steps write the outcomes outbox and the outcomes
    function's Eventarc trigger exist; secrets.outcome_signing_secret is then
    required. callback_url (OUTCOME_CALLBACK_URL, https) receives the outcomes of
    messages that name no callback of their own. trigger_region is the Firestore
    database's location (an Eventarc Firestore trigger must be in it); it defaults
    to firestore.location_id. timeout_ms, max_attempts, max_age_hours bound one
    push and its retries; redrive_seconds is how long a pending push may sit
    unattempted before the sweep re-drives it. pubsub also publishes every outcome
    to a topic this module creates, <name_prefix>-outcomes (OUTCOME_PUBSUB_TOPIC),
    for consumers inside Google Cloud; with or without callback_url.
  EOT
  type = object({
    enabled         = optional(bool, false)
    callback_url    = optional(string, "")
    trigger_region  = optional(string)
    timeout_ms      = optional(number, 10000)
    max_attempts    = optional(number, 20)
    max_age_hours   = optional(number, 24)
    redrive_seconds = optional(number, 600)
    pubsub          = optional(bool, false)
  })
  default = {}

  validation {
    condition     = var.outcomes.callback_url == "" || startswith(var.outcomes.callback_url, "https://")
    error_message = "outcomes.callback_url must be an https:// URL (or left empty)."
  }
  validation {
    condition = alltrue([
      for n in [var.outcomes.timeout_ms, var.outcomes.max_attempts, var.outcomes.max_age_hours, var.outcomes.redrive_seconds] : n >= 1 && floor(n) == n
    ])
    error_message = "outcomes.timeout_ms, max_attempts, max_age_hours and redrive_seconds must be whole numbers of at least 1."
  }
}

# --- SMS fallback ----------------------------------------------------------------

variable "sms_provider" {
  description = "SMS fallback provider (SMS_PROVIDER): http (generic signed JSON) or twilio. See docs/fallback.md."
  type        = string

  validation {
    condition     = contains(["http", "twilio"], var.sms_provider)
    error_message = "sms_provider must be http or twilio."
  }
}

variable "sms" {
  description = "Non-secret settings of the SMS provider: http_url for http; twilio_account_sid and twilio_from and/or twilio_messaging_service_sid for twilio. The secrets are in var.secrets."
  type = object({
    timeout_ms                   = optional(number, 10000)
    http_url                     = optional(string)
    twilio_account_sid           = optional(string)
    twilio_from                  = optional(string)
    twilio_messaging_service_sid = optional(string)
    twilio_base_url              = optional(string, "https://api.twilio.com")
  })
  default = {}

  validation {
    condition     = var.sms.timeout_ms >= 1000 && var.sms.timeout_ms == floor(var.sms.timeout_ms)
    error_message = "sms.timeout_ms must be a whole number of milliseconds, at least 1000."
  }
  validation {
    condition     = var.sms.http_url == null || can(regex("^https://", var.sms.http_url))
    error_message = "sms.http_url must be an https:// URL."
  }
  validation {
    condition     = var.sms.twilio_account_sid == null || can(regex("^AC[0-9a-fA-F]{32}$", var.sms.twilio_account_sid))
    error_message = "sms.twilio_account_sid must be AC followed by 32 hex digits."
  }
  validation {
    condition     = var.sms.twilio_messaging_service_sid == null || can(regex("^MG[0-9a-fA-F]{32}$", var.sms.twilio_messaging_service_sid))
    error_message = "sms.twilio_messaging_service_sid must be MG followed by 32 hex digits."
  }
}

# --- Callers -----------------------------------------------------------------------

variable "messages_invokers" {
  description = "Principals allowed to call the messages function (roles/run.invoker), e.g. [\"serviceAccount:backend@my-project.iam.gserviceaccount.com\"]: the business's own backend."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for m in var.messages_invokers : can(regex("^(serviceAccount|user|group|domain|principal|principalSet):", m))
    ])
    error_message = "messages_invokers must be IAM principals (serviceAccount:, user:, group:, domain:, principal:, principalSet:); allUsers and allAuthenticatedUsers are refused: the messages function is private."
  }
}

variable "messages_ingress" {
  description = "Network ingress of the messages function: ALLOW_ALL (IAM still applies), ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  type        = string
  default     = "ALLOW_ALL"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.messages_ingress)
    error_message = "messages_ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "internal_only_task_targets" {
  description = "Give revoke, fallback and sweep internal-only ingress. Cloud Tasks and Cloud Scheduler in the same project count as internal when they call the default run.app URL, which this module uses; IAM (OIDC) applies either way."
  type        = bool
  default     = true
}

# --- Lifecycle tuning -----------------------------------------------------------------

variable "log_level" {
  description = "Log level of every function (LOG_LEVEL): debug, info, warn, error or silent."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error", "silent"], var.log_level)
    error_message = "log_level must be debug, info, warn, error or silent."
  }
}

variable "retention_days" {
  description = "Days a message, its events and dead letters are kept before Firestore TTL deletes them (RETENTION_DAYS, the expireAt field)."
  type        = number
  default     = 90

  validation {
    condition     = var.retention_days >= 1 && var.retention_days == floor(var.retention_days)
    error_message = "retention_days must be a whole number of days, at least 1."
  }
}

variable "sweep_bound_seconds" {
  description = "A message with nothing happening this long after it was due is re-driven by the sweep (SWEEP_BOUND_SECONDS; lifecycle law 6's bound)."
  type        = number
  default     = 300

  validation {
    condition     = var.sweep_bound_seconds >= 60 && var.sweep_bound_seconds == floor(var.sweep_bound_seconds)
    error_message = "sweep_bound_seconds must be a whole number of seconds, at least 60 (the sweep runs every minute)."
  }
}

variable "sweep_batch_size" {
  description = "Most messages one sweep run re-drives (SWEEP_BATCH_SIZE)."
  type        = number
  default     = 200

  validation {
    condition     = var.sweep_batch_size >= 1 && var.sweep_batch_size <= 1000 && var.sweep_batch_size == floor(var.sweep_batch_size)
    error_message = "sweep_batch_size must be a whole number from 1 to 1000."
  }
}

variable "ingestion_lag_tolerance_seconds" {
  description = "Webhook events stored later than this after their platform time mean the platform's queue is delivering late (INGESTION_LAG_TOLERANCE_SECONDS)."
  type        = number
  default     = 10

  validation {
    condition     = var.ingestion_lag_tolerance_seconds >= 1 && var.ingestion_lag_tolerance_seconds == floor(var.ingestion_lag_tolerance_seconds)
    error_message = "ingestion_lag_tolerance_seconds must be a whole number of seconds, at least 1."
  }
}

variable "ingestion_active_within_seconds" {
  description = "A webhook instance that stored an event this recently is still delivering (INGESTION_ACTIVE_WITHIN_SECONDS)."
  type        = number
  default     = 30

  validation {
    condition     = var.ingestion_active_within_seconds >= 1 && var.ingestion_active_within_seconds == floor(var.ingestion_active_within_seconds)
    error_message = "ingestion_active_within_seconds must be a whole number of seconds, at least 1."
  }
}

variable "ingestion_recheck_seconds" {
  description = "While webhook ingestion is behind, the confirm step looks again after this long (INGESTION_RECHECK_SECONDS)."
  type        = number
  default     = 10

  validation {
    condition     = var.ingestion_recheck_seconds >= 1 && var.ingestion_recheck_seconds == floor(var.ingestion_recheck_seconds)
    error_message = "ingestion_recheck_seconds must be a whole number of seconds, at least 1."
  }
}

variable "ingestion_max_defer_seconds" {
  description = "Most a message's confirm step waits for webhook ingestion to catch up, in all; it adds to lifecycle law 6's bound (INGESTION_MAX_DEFER_SECONDS)."
  type        = number
  default     = 300

  validation {
    condition     = var.ingestion_max_defer_seconds >= 1 && var.ingestion_max_defer_seconds == floor(var.ingestion_max_defer_seconds)
    error_message = "ingestion_max_defer_seconds must be a whole number of seconds, at least 1."
  }
}

variable "sweep_schedule" {
  description = "Cron schedule of the Cloud Scheduler job that calls the sweep (UTC). Every minute by default."
  type        = string
  default     = "* * * * *"
}

# --- Cloud Tasks -------------------------------------------------------------------------

variable "queue_retry" {
  description = <<-EOT
    Retry policy of the rbm-revoke and rbm-fallback queues. max_attempts is also
    handed to the functions as REVOKE_MAX_ATTEMPTS / FALLBACK_MAX_ATTEMPTS (one
    value, two uses), so a handler knows its last try and records a final outcome.
  EOT
  type = object({
    revoke = optional(object({
      max_attempts  = optional(number, 10)
      min_backoff   = optional(string, "1s")
      max_backoff   = optional(string, "60s")
      max_doublings = optional(number, 4)
    }), {})
    fallback = optional(object({
      max_attempts  = optional(number, 10)
      min_backoff   = optional(string, "2s")
      max_backoff   = optional(string, "300s")
      max_doublings = optional(number, 5)
    }), {})
  })
  default = {}

  validation {
    condition = alltrue([
      for r in [var.queue_retry.revoke, var.queue_retry.fallback] :
      r.max_attempts >= 1 && r.max_attempts <= 100 && r.max_attempts == floor(r.max_attempts) && r.max_doublings >= 0 && r.max_doublings <= 16
    ])
    error_message = "max_attempts must be a whole number from 1 to 100 (not -1: the handlers must know their last try) and max_doublings from 0 to 16."
  }
  validation {
    condition = alltrue([
      for r in [var.queue_retry.revoke, var.queue_retry.fallback] :
      # try(): Terraform evaluates both sides of && and ||, so a malformed duration must not raise.
      try(
        can(regex("^[0-9]+(\\.[0-9]+)?s$", r.min_backoff)) && can(regex("^[0-9]+(\\.[0-9]+)?s$", r.max_backoff)) &&
        tonumber(trimsuffix(r.min_backoff, "s")) <= tonumber(trimsuffix(r.max_backoff, "s")),
        false,
      )
    ])
    error_message = "min_backoff and max_backoff must be durations in seconds such as \"1s\" or \"0.5s\", with min_backoff <= max_backoff."
  }
}

variable "queue_shards" {
  description = "Queues per kind of task (QUEUE_SHARDS): <prefix>-revoke, <prefix>-revoke-1, ... and the same for fallback. A message's tasks all go to one shard, chosen by a hash of its id. One queue dispatches at most 500 tasks/s; raise this past that (docs/SCALING.md). Changing it moves some messages' later tasks to another queue; their earlier tasks still run there and end as no-ops."
  type        = number
  default     = 1

  validation {
    condition     = var.queue_shards >= 1 && var.queue_shards <= 64 && floor(var.queue_shards) == var.queue_shards
    error_message = "queue_shards must be a whole number from 1 to 64."
  }
}

variable "queue_rate_limits" {
  description = "Dispatch rate limits of each kind of task, in total over its queue_shards queues (each queue gets an even share): revoke calls the RBM API, fallback the SMS provider; keep each under what the other side accepts."
  type = object({
    revoke = optional(object({
      max_dispatches_per_second = optional(number, 100)
      max_concurrent_dispatches = optional(number, 200)
    }), {})
    fallback = optional(object({
      max_dispatches_per_second = optional(number, 20)
      max_concurrent_dispatches = optional(number, 50)
    }), {})
  })
  default = {}

  validation {
    condition = alltrue([
      for r in [var.queue_rate_limits.revoke, var.queue_rate_limits.fallback] :
      r.max_dispatches_per_second > 0 && r.max_dispatches_per_second <= 500 * 64 && r.max_concurrent_dispatches >= 1 && r.max_concurrent_dispatches <= 5000 * 64
    ])
    error_message = "max_dispatches_per_second must be positive and max_concurrent_dispatches at least 1; per queue (the total / queue_shards) Cloud Tasks allows 500 and 5000, which the queues' precondition checks."
  }
}

# --- Functions ------------------------------------------------------------------------------

variable "function_settings" {
  description = <<-EOT
    Per-function overrides of memory (e.g. "512Mi"), cpu (e.g. "1"), timeout_seconds,
    min_instances, max_instances and concurrency (requests per instance), keyed by
    webhook, messages, revoke, fallback or sweep. Unset values keep the module's
    defaults (local.function_defaults). Concurrency above 1 needs at least 1 CPU.
  EOT
  type = map(object({
    memory          = optional(string)
    cpu             = optional(string)
    timeout_seconds = optional(number)
    min_instances   = optional(number)
    max_instances   = optional(number)
    concurrency     = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.function_settings) : contains(["webhook", "messages", "revoke", "fallback", "sweep"], name)])
    error_message = "function_settings keys must be webhook, messages, revoke, fallback or sweep."
  }
  validation {
    condition = alltrue([
      for s in values(var.function_settings) :
      # Conditionals, not ||: Terraform evaluates both sides of || and a null would raise.
      (s.timeout_seconds == null ? true : s.timeout_seconds >= 1 && s.timeout_seconds <= 3600) &&
      (s.concurrency == null ? true : s.concurrency >= 1 && s.concurrency <= 1000) &&
      (s.min_instances == null ? true : s.min_instances >= 0) &&
      (s.max_instances == null ? true : s.max_instances >= 1) &&
      (s.memory == null ? true : can(regex("^[0-9]+(Mi|Gi|M|G)$", s.memory))) &&
      (s.cpu == null ? true : can(tonumber(s.cpu)))
    ])
    error_message = "timeout_seconds must be 1-3600, concurrency 1-1000, min_instances >= 0, max_instances >= 1, memory like \"512Mi\" or \"1Gi\", cpu a number such as \"1\" or \"0.583\"."
  }
}

variable "create_build_service_account" {
  description = "Build the functions with a dedicated Cloud Build service account (logs writer, Artifact Registry writer, storage object admin) instead of the project's default build identity, which projects created since July 2024 may not have permissions for."
  type        = bool
  default     = true
}

variable "source_bucket_name" {
  description = "Name of the bucket created for the function source archives; null means <project_id>-<name_prefix>-fn-source."
  type        = string
  default     = null
}

# --- Firestore -------------------------------------------------------------------------------

variable "firestore" {
  description = <<-EOT
    The Firestore (native mode) database: database_id (FIRESTORE_DATABASE);
    create_database to create it here (location_id then required, e.g. "nam5" or
    "eur3"); point_in_time_recovery for 7-day PITR on a created database. The TTL
    policies, index exemptions and composite indexes are declared either way.
  EOT
  type = object({
    database_id            = optional(string, "(default)")
    create_database        = optional(bool, false)
    location_id            = optional(string)
    point_in_time_recovery = optional(bool, true)
  })
  default = {}

  validation {
    condition     = var.firestore.database_id == "(default)" || can(regex("^[a-z][a-z0-9-]{2,61}[a-z0-9]$", var.firestore.database_id))
    error_message = "firestore.database_id must be \"(default)\" or 4-63 lowercase letters, digits and hyphens, starting with a letter."
  }
  validation {
    condition     = !var.firestore.create_database || var.firestore.location_id != null
    error_message = "firestore.location_id is required when firestore.create_database is true."
  }
}

variable "report_group_fields" {
  description = "Fields `npm run report --by` groups by (agentId for --by agent, messageTrafficType for --by trafficType, labels.KEY for --by label:KEY). Composite indexes for the windowed, grouped report are declared for each (docs/console.md)."
  type        = list(string)
  default     = ["agentId", "labels.kind", "messageTrafficType"]

  validation {
    condition = alltrue([
      # KEY as the messages API accepts a label name (shared/messages/request.ts):
      # never a dot or a backtick, so firestore.tf's quoting of names like
      # campaign-id is all a field path needs.
      for f in var.report_group_fields : f == "agentId" || f == "messageTrafficType" || can(regex("^labels\\.[A-Za-z][A-Za-z0-9_-]{0,62}$", f))
    ])
    error_message = "report_group_fields may hold agentId, messageTrafficType and labels.KEY fields only, KEY a label name: a letter, then up to 62 letters, digits, _ or -."
  }
}

variable "source_archive" {
  description = "Path of the functions' source archive that `npm run package` wrote; null means dist/rbm-lifecycle-source.zip in this repository. Its manifest (the same path with .json) lets the plan refuse an archive older than the code."
  type        = string
  default     = null

  validation {
    condition     = var.source_archive == null || endswith(coalesce(var.source_archive, "-"), ".zip")
    error_message = "source_archive must be the path of a .zip file written by `npm run package`."
  }
}

variable "iam_propagation_wait" {
  description = "How long a first apply (and any apply that changes the functions' grants) waits after granting roles and before building the functions, for IAM to propagate. IAM says changes typically take 2 minutes."
  type        = string
  default     = "90s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.iam_propagation_wait))
    error_message = "iam_propagation_wait must be a number of seconds such as \"90s\"."
  }
}
