# Secrets live in Secret Manager and are created outside Terraform (docs/deploy.md),
# so their values are never in a .tf file, a plan or the state. This module only
# names them: each function may read exactly the secrets it mounts.

locals {
  # One grant per (function, secret): two variables mounted from the same secret
  # (the clientToken and its previous version during a rotation) share it.
  secret_grants = {
    for grant in distinct(flatten([
      for fn, f in local.functions : [
        for key in f.secrets : { function = fn, secret = local.secret_refs[key].secret }
        if local.secret_refs[key] != null
      ]
    ])) : "${grant.function}/${grant.secret}" => grant
  }
}

# Fails the plan early, with the secret's name, when a configured secret does
# not exist. Reads metadata only, never a version's payload.
data "google_secret_manager_secret" "configured" {
  for_each = toset([for grant in values(local.secret_grants) : grant.secret])

  project   = var.project_id
  secret_id = each.value
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = local.secret_grants

  project   = var.project_id
  secret_id = data.google_secret_manager_secret.configured[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.fn[each.value.function].member
}
