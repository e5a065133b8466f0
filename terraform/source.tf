# One source archive for all six functions (FUNCTION_TARGET picks the function
# at run time, functions/index.ts). `npm run package` builds it
# (local/source-archive): package.json, package-lock.json and every module
# reachable from package.json's "main", nothing else; the same bytes for the
# same code. This file only uploads it, so what the tests start
# (test/integration/deploy) is exactly what Cloud Build receives.
#
# Dependencies: Cloud Build's Node.js buildpack runs `npm ci` itself, with
# NODE_ENV=production when package.json has no `gcp-build` or `build` script,
# so the devDependencies (the 190 MB `node` package among them) are not
# installed. build_config pins NODE_ENV=production as well, so adding a build
# script later cannot pull them in (docs/deploy.md, "What the buildpack requires").

locals {
  repo_root       = abspath("${path.module}/..")
  source_archive  = coalesce(var.source_archive, "${local.repo_root}/dist/rbm-lifecycle-source.zip")
  source_manifest = "${trimsuffix(local.source_archive, ".zip")}.json"

  source_archive_exists = fileexists(local.source_archive)
  # SHA-256 of each archived file as `npm run package` saw it; empty without a manifest.
  source_manifest_files = fileexists(local.source_manifest) ? jsondecode(file(local.source_manifest)).files : {}
  # Archived files whose repository copy has changed since: the archive is stale.
  # A file that is not in the repository (an archive built elsewhere) is not compared.
  stale_source_files = [
    for path, sha256 in local.source_manifest_files : path
    if fileexists("${local.repo_root}/${path}") && filesha256("${local.repo_root}/${path}") != sha256
  ]
}

resource "google_storage_bucket" "source" {
  project                     = var.project_id
  name                        = coalesce(var.source_bucket_name, "${var.project_id}-${var.name_prefix}-fn-source")
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Holds only build inputs, named by content hash; nothing to keep on destroy.
  force_destroy = true
  labels        = var.labels

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket_object" "source" {
  # Named by the archive's content hash: any code change is a new object, a new
  # build_config.source, and so a redeploy of all six functions.
  name         = "rbm-lifecycle/source-${local.source_archive_exists ? filesha256(local.source_archive) : "missing"}.zip"
  bucket       = google_storage_bucket.source.name
  source       = local.source_archive
  content_type = "application/zip"

  lifecycle {
    precondition {
      condition     = local.source_archive_exists
      error_message = "No source archive at ${local.source_archive}: run `npm ci && npm run package` in the repository first (docs/deploy.md)."
    }
    precondition {
      condition     = length(local.stale_source_files) == 0
      error_message = "The source archive is older than the code (${join(", ", local.stale_source_files)} changed since it was built): run `npm run package` again."
    }
  }
}
