# Firestore is the product's UI (docs/console.md). This file declares:
#   - the database, when create_database is set;
#   - the TTL policy on expireAt (RETENTION_DAYS) of every collection that has it;
#   - single-field index exemptions for fields nobody filters on, above all
#     monotonically increasing timestamps, which hot-spot an index at about 500
#     writes per second (docs/console.md, "Single-field indexes to keep, and to exempt");
#   - the composite indexes behind the console's common questions (I1-I7) and
#     `npm run report` (R1-R14 and the grouped ones), as listed in docs/console.md.
# Never exempted: dueAt (the sweep's query, shared/sweep/run.ts) and createdAt
# (the report's window and the console's "newest first").

resource "google_firestore_database" "this" {
  count = var.firestore.create_database ? 1 : 0

  project                           = var.project_id
  name                              = var.firestore.database_id
  location_id                       = var.firestore.location_id
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = var.firestore.point_in_time_recovery ? "POINT_IN_TIME_RECOVERY_ENABLED" : "POINT_IN_TIME_RECOVERY_DISABLED"
  # The data is the record of every message: neither the API nor `terraform destroy` deletes it.
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"

  depends_on = [google_project_service.apis]
}

locals {
  # Collections whose documents carry expireAt (shared/store): TTL deletes them
  # once it is past. optOuts is current state, not history: it has no expireAt.
  # ingestion holds one shard per webhook cold start, kept a day after its last write.
  ttl_collections = ["messages", "events", "userMessages", "userEvents", "agentEvents", "unknownEvents", "deadLetters", "ingestion", "outcomes"]

  # Fields no query filters or orders on (docs/console.md, "Single-field indexes
  # to keep, and to exempt"). events is a collection group (messages/*/events).
  # expireAt is exempted with its TTL policy below.
  index_exemptions = {
    messages      = ["updatedAt", "requestHash", "revocation.reason", "fallback.reason", "fallback.text", "escalation.reason", "escalation.text"]
    events        = ["at", "receivedAt", "sendTime", "payload"]
    userMessages  = ["receivedAt", "payload"]
    userEvents    = ["receivedAt", "sendTime", "payload"]
    agentEvents   = ["receivedAt", "payload"]
    unknownEvents = ["payload"]
    deadLetters   = ["data", "attributes"]
    outcomes      = ["payload", "lastError"]
  }

  # Console queries (docs/console.md, "Composite indexes"): "FIELD ASC|DESC", in order.
  console_indexes = {
    I1 = { collection = "messages", fields = ["status ASC", "dueAt ASC"] }
    I2 = { collection = "messages", fields = ["status ASC", "deadline ASC"] }
    I3 = { collection = "messages", fields = ["agentId ASC", "status ASC", "createdAt DESC"] }
    I4 = { collection = "messages", fields = ["agentId ASC", "revocation.state ASC", "revocation.confirmedAt ASC"] }
    I5 = { collection = "messages", fields = ["duplicateDelivery ASC", "createdAt DESC"] }
    I6 = { collection = "messages", fields = ["phoneNumber ASC", "createdAt DESC"] }
    I7 = { collection = "userMessages", fields = ["phoneNumber ASC", "sendTime DESC"] }
    # The sweep's re-drive of outcome pushes whose event was lost (shared/outcomes/redrive.ts).
    I8 = { collection = "outcomes", fields = ["state ASC", "touchedAt ASC"] }
  }

  # The report with a time window (shared/store/report-queries.ts): an equality filter or
  # a sum, plus the createdAt range.
  report_indexes = {
    R1  = { collection = "messages", fields = ["status ASC", "createdAt ASC"] }
    R2  = { collection = "messages", fields = ["send.state ASC", "createdAt ASC"] }
    R3  = { collection = "messages", fields = ["revocation.state ASC", "createdAt ASC"] }
    R4  = { collection = "messages", fields = ["fallback.state ASC", "createdAt ASC"] }
    R5  = { collection = "messages", fields = ["duplicateDelivery ASC", "createdAt ASC"] }
    R6  = { collection = "messages", fields = ["lateDelivery ASC", "createdAt ASC"] }
    R7  = { collection = "messages", fields = ["createdAt ASC", "revocation.attempts ASC"] }
    R8  = { collection = "messages", fields = ["createdAt ASC", "fallback.attempts ASC"] }
    R9  = { collection = "messages", fields = ["createdAt ASC", "send.latencyMs ASC"] }
    R10 = { collection = "messages", fields = ["createdAt ASC", "redrives ASC"] }
    R11 = { collection = "messages", fields = ["escalation.state ASC", "createdAt ASC"] }
    R12 = { collection = "messages", fields = ["escalation.readAfterNudge ASC", "createdAt ASC"] }
    R13 = { collection = "messages", fields = ["capabilityCheck.outcome ASC", "createdAt ASC"] }
    R14 = { collection = "outcomes", fields = ["state ASC", "createdAt ASC"] }
  }

  # The report grouped by G (var.report_group_fields): G + createdAt; G + each
  # R1-R6, R11-R13 equality field + createdAt; G + createdAt + each R7-R10 summed field
  # (windowed sums); G + each summed field (sums without a window).
  report_equality_fields = ["status", "send.state", "revocation.state", "fallback.state", "duplicateDelivery", "lateDelivery", "escalation.state", "escalation.readAfterNudge", "capabilityCheck.outcome"]
  report_summed_fields   = ["revocation.attempts", "fallback.attempts", "send.latencyMs", "redrives"]

  report_group_indexes = merge(
    { for g in var.report_group_fields : "G ${g}" => { collection = "messages", fields = ["${g} ASC", "createdAt ASC"] } },
    merge([
      for g in var.report_group_fields : {
        for x in local.report_equality_fields : "G ${g} = ${x}" => { collection = "messages", fields = ["${g} ASC", "${x} ASC", "createdAt ASC"] }
      }
    ]...),
    merge([
      for g in var.report_group_fields : {
        for y in local.report_summed_fields : "G ${g} windowed sum ${y}" => { collection = "messages", fields = ["${g} ASC", "createdAt ASC", "${y} ASC"] }
      }
    ]...),
    merge([
      for g in var.report_group_fields : {
        for y in local.report_summed_fields : "G ${g} sum ${y}" => { collection = "messages", fields = ["${g} ASC", "${y} ASC"] }
      }
    ]...),
  )

  composite_indexes = merge(local.console_indexes, local.report_indexes, local.report_group_indexes)
}

# Order of creation. Index configuration writes on one database contend with
# each other: the API answers 409 "Please retry, underlying data changed" or
# "Aborted due to cross-transaction contention", above all right after the
# database is created (hashicorp/terraform-provider-google#16329, #16599,
# #16664). Since google 5.5.0 google_firestore_field retries the first, and
# since 5.9.0 google_firestore_index retries both (the provider's CHANGELOG);
# versions.tf asks for >= 6.0. google_firestore_field does not retry the second,
# and fields and composite indexes of one collection group (messages) touch the
# same metadata, so the three kinds go one after the other, never side by side:
# the TTL policies, then the exemptions, then the composite indexes. Within a
# kind Terraform still runs up to -parallelism (10) at once, which the retries cover.

resource "google_firestore_field" "ttl" {
  for_each = toset(local.ttl_collections)

  project    = var.project_id
  database   = var.firestore.database_id
  collection = each.value
  field      = "expireAt"

  # An empty ttl_config enables the TTL policy; an empty index_config removes
  # the field's single-field indexes (nobody queries expireAt, and it grows
  # monotonically). https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/firestore_field
  ttl_config {}
  index_config {}

  depends_on = [google_firestore_database.this, google_project_service.apis]
}

resource "google_firestore_field" "exempt" {
  for_each = merge([
    for collection, fields in local.index_exemptions : {
      for field in fields : "${collection}.${field}" => { collection = collection, field = field }
    }
  ]...)

  project    = var.project_id
  database   = var.firestore.database_id
  collection = each.value.collection
  field      = each.value.field

  index_config {}

  # After the TTL policies (ordering above).
  depends_on = [google_firestore_database.this, google_project_service.apis, google_firestore_field.ttl]
}

resource "google_firestore_index" "composite" {
  for_each = local.composite_indexes

  project     = var.project_id
  database    = var.firestore.database_id
  collection  = each.value.collection
  query_scope = "COLLECTION"

  # Firestore appends __name__ with the last field's direction.
  # A field path is dot-separated names; a name other than a simple one
  # ([A-Za-z_][A-Za-z0-9_]*, not starting with a digit) must be quoted in
  # backticks ("Constraints on field paths",
  # https://firebase.google.com/docs/firestore/quotas#collections_documents_and_fields),
  # e.g. labels.`campaign-id` from report_group_fields. Simple names stay
  # unquoted, the form Firestore itself returns, so the plan stays clean.
  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = join(".", [
        for name in split(".", split(" ", fields.value)[0]) :
        can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name)) ? name : "`${name}`"
      ])
      order = split(" ", fields.value)[1] == "DESC" ? "DESCENDING" : "ASCENDING"
    }
  }

  # After every field override (ordering above).
  depends_on = [
    google_firestore_database.this,
    google_project_service.apis,
    google_firestore_field.ttl,
    google_firestore_field.exempt,
  ]
}
