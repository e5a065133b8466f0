# Service accounts and their roles. Least privilege: each function runs as its
# own account; every grant names the function that needs it and why. All IAM is
# non-authoritative (_member), so grants made outside this module survive.

# --- Identities ------------------------------------------------------------------

resource "google_service_account" "fn" {
  for_each = local.functions

  project      = var.project_id
  account_id   = "${var.name_prefix}-${each.key}"
  display_name = "rbm-lifecycle ${each.key} function"
  description  = "Runtime identity of the ${local.service_names[each.key]} function."

  depends_on = [google_project_service.apis]
}

# The identity Cloud Tasks signs the revoke and fallback tasks' OIDC tokens as
# (TASKS_SERVICE_ACCOUNT); the only principal that may invoke those two functions.
resource "google_service_account" "tasks" {
  project      = var.project_id
  account_id   = local.tasks_account_id # its email is local.tasks_account_email (main.tf)
  display_name = "rbm-lifecycle Cloud Tasks invoker"
  description  = "OIDC identity of the tasks in the ${local.queues.revoke.name} and ${local.queues.fallback.name} queues; invokes the revoke and fallback functions."

  depends_on = [google_project_service.apis]
}

# The identity Cloud Scheduler calls the sweep as; the only principal that may invoke it.
resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-scheduler"
  display_name = "rbm-lifecycle sweep scheduler"
  description  = "OIDC identity of the Cloud Scheduler job that calls ${local.service_names.sweep}."

  depends_on = [google_project_service.apis]
}

# The identity of the outcomes function's Eventarc trigger (functions.tf): it
# receives the Firestore events and invokes the outcomes function with them.
resource "google_service_account" "eventarc" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-eventarc"
  display_name = "rbm-lifecycle outcomes trigger"
  description  = "Identity of the Eventarc trigger that delivers outcomes outbox events to ${local.service_names.outcomes}."

  depends_on = [google_project_service.apis]
}

# Cloud Build identity for the function builds. Since July 2024 new projects'
# default build identity may lack these roles; the documented fix is a custom
# build service account with Logs Writer, Artifact Registry Writer and Storage
# Object Admin (https://cloud.google.com/functions/docs/securing/build-custom-sa,
# https://cloud.google.com/run/docs/configuring/services/build-service-account).
resource "google_service_account" "build" {
  count = var.create_build_service_account ? 1 : 0

  project      = var.project_id
  account_id   = "${var.name_prefix}-build"
  display_name = "rbm-lifecycle function builds"
  description  = "Cloud Build identity that builds the rbm-lifecycle functions from their source archive."

  depends_on = [google_project_service.apis]
}

resource "google_project_iam_member" "build" {
  for_each = var.create_build_service_account ? toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
    "roles/storage.objectAdmin",
  ]) : toset([])

  project = var.project_id
  role    = each.value
  member  = google_service_account.build[0].member
}

# --- Firestore -----------------------------------------------------------------------

# Every function reads and writes messages and events in transactions.
resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.fn[each.key].member
}

# --- Eventarc ------------------------------------------------------------------------

# The trigger's identity must hold Eventarc Event Receiver on the project to receive
# events ("Grant the Eventarc Event Receiver role ... to the service account associated
# with your Eventarc trigger", https://cloud.google.com/eventarc/docs/run/create-trigger-firestore-gcloud);
# invoking the function is roles/run.invoker on its service (local.invokers).
resource "google_project_iam_member" "eventarc_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.eventarc.member
}

# --- Cloud Tasks ---------------------------------------------------------------------

# Create tasks only in the queues the function schedules into (queue-level IAM),
# and delete them only where it cancels (the webhook, on DELIVERED).
# roles/cloudtasks.enqueuer = cloudtasks.tasks.create (+ fullView);
# roles/cloudtasks.taskDeleter = cloudtasks.tasks.delete
# (https://cloud.google.com/iam/docs/roles-permissions/cloudtasks).
resource "google_cloud_tasks_queue_iam_member" "function" {
  for_each = merge(
    merge([
      for fn, f in local.functions : {
        for queue, shard in local.queue_shards : "${fn}/${queue}/enqueuer" => { function = fn, queue = queue, role = "roles/cloudtasks.enqueuer" }
        if contains(f.enqueues, shard.kind)
      }
    ]...),
    merge([
      for fn, f in local.functions : {
        for queue, shard in local.queue_shards : "${fn}/${queue}/taskDeleter" => { function = fn, queue = queue, role = "roles/cloudtasks.taskDeleter" }
        if contains(f.cancels, shard.kind)
      }
    ]...),
  )

  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.queue[each.value.queue].name
  role     = each.value.role
  member   = google_service_account.fn[each.value.function].member
}

# A task created with an OIDC token of the tasks service account needs
# iam.serviceAccounts.actAs on that account from whoever creates it.
resource "google_service_account_iam_member" "act_as_tasks" {
  for_each = toset([for fn, f in local.functions : fn if length(f.enqueues) > 0])

  service_account_id = google_service_account.tasks.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.fn[each.key].member
}
