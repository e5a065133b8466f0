output "webhook_url" {
  description = "URL of the webhook function: register it as the webhook of the agent (or partner) in the RBM Developer Console, with the clientToken stored in secrets.rbm_client_token."
  value       = google_cloudfunctions2_function.fn["webhook"].service_config[0].uri
}

output "messages_url" {
  description = "Base URL of the messages function the business's backend calls (POST /messages, POST /messages:batch, GET /messages/{id}, POST /messages/{id}/revoke) with an ID token of a messages_invokers principal."
  value       = google_cloudfunctions2_function.fn["messages"].service_config[0].uri
}

output "function_urls" {
  description = "Deterministic run.app URL of each function, as the functions themselves use them (REVOKE_URL and FALLBACK_URL are the task targets and OIDC audiences)."
  value       = local.function_urls
}

output "function_names" {
  description = "Name of each function (and of its Cloud Run service), keyed by entry point."
  value       = { for key, fn in google_cloudfunctions2_function.fn : key => fn.name }
}

output "queues" {
  description = "The Cloud Tasks queues, keyed revoke and fallback (and revoke-1, fallback-1, ... with queue_shards > 1): kind, name (REVOKE_QUEUE / FALLBACK_QUEUE for shard 0) and full resource id."
  value = {
    for key, queue in google_cloud_tasks_queue.queue : key => {
      kind = local.queue_shards[key].kind
      name = local.queue_shards[key].name
      id   = queue.id
    }
  }
}

output "function_service_accounts" {
  description = "Runtime service account email of each function, keyed by entry point."
  value       = { for key, sa in google_service_account.fn : key => sa.email }
}

output "tasks_service_account" {
  description = "Service account Cloud Tasks signs its OIDC tokens as (TASKS_SERVICE_ACCOUNT); the only invoker of revoke and fallback."
  value       = google_service_account.tasks.email
}

output "scheduler_service_account" {
  description = "Service account the Cloud Scheduler job calls the sweep as; the sweep's only invoker."
  value       = google_service_account.scheduler.email
}

output "outcomes_trigger_service_account" {
  description = "Service account of the outcomes function's Eventarc trigger (Eventarc Event Receiver, the outcomes function's only invoker)."
  value       = google_service_account.eventarc.email
}

output "outcomes_topic" {
  description = "Full name of the Pub/Sub topic every outcome is published to (outcomes.pubsub), or null."
  value       = var.outcomes.enabled && var.outcomes.pubsub ? google_pubsub_topic.outcomes[0].id : null
}

output "build_service_account" {
  description = "Service account Cloud Build builds the functions as, or null when the project's default build identity is used."
  value       = var.create_build_service_account ? google_service_account.build[0].email : null
}

output "sweep_job" {
  description = "Full resource name of the Cloud Scheduler job that calls the sweep."
  value       = google_cloud_scheduler_job.sweep.id
}

output "source_archive" {
  description = "gs:// path of the deployed source archive; its name carries the archive's SHA-256."
  value       = "gs://${google_storage_bucket.source.name}/${google_storage_bucket_object.source.name}"
}

output "firestore_database" {
  description = "Firestore database id the functions use (FIRESTORE_DATABASE)."
  value       = var.firestore.database_id
}
