# The outcomes topic (docs/outcomes.md#pubsub): with outcomes.enabled and
# outcomes.pubsub, every outcome is also published here, for consumers inside
# Google Cloud. The outcomes function publishes, and so does the sweep when it
# re-drives a push whose event was lost; nobody else may. Subscriptions are the
# consumers' own, outside this module.

resource "google_pubsub_topic" "outcomes" {
  count = var.outcomes.enabled && var.outcomes.pubsub ? 1 : 0

  project = var.project_id
  name    = local.outcomes_topic_name
  labels  = var.labels

  depends_on = [google_project_service.apis]
}

# roles/pubsub.publisher on the topic only (pubsub.topics.publish), for the two
# functions that deliver the outbox.
resource "google_pubsub_topic_iam_member" "outcomes_publisher" {
  for_each = var.outcomes.enabled && var.outcomes.pubsub ? toset(["outcomes", "sweep"]) : toset([])

  project = var.project_id
  topic   = google_pubsub_topic.outcomes[0].name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.fn[each.key].member
}
