# One source archive for all five functions (FUNCTION_TARGET picks the function
# at run time, functions/index.ts), built from an allowlist of what the runtime
# needs: package.json, package-lock.json, functions/ and shared/. Everything else
# in the repository (node_modules, test, local, docs, terraform, .git, state
# files) is never read, so it can never leak into the archive.
#
# Dependencies: Cloud Build's Node.js buildpack runs `npm ci` itself, with
# NODE_ENV=production when package.json has no `gcp-build` or `build` script
# (GoogleCloudPlatform/buildpacks, cmd/nodejs/npm: "buildNodeEnv =
# nodejs.EnvProduction" unless build commands exist), so the devDependencies,
# including the 190 MB `node` package, are not installed. build_config pins
# NODE_ENV=production as well (the buildpack respects a NODE_ENV the build sets),
# so adding a build script later cannot pull them in. package.json and
# package-lock.json are shipped as they are, so the lockfile matches.
#
# Entry point: the buildpack syntax-checks package.json's "main" with
# `node --check` before building (cmd/nodejs/functions_framework). Node 24
# strips types when it runs a .ts module, but `node --check functions/index.ts`
# fails with a SyntaxError, so while "main" is a .ts file the archive carries a
# plain JavaScript entry that imports it, and its package.json names that entry
# as "main" (no dependency changes, so package-lock.json still matches). Once
# the repository's own "main" is JavaScript, package.json ships unchanged.

locals {
  repo_root    = abspath("${path.module}/..")
  package_json = jsondecode(file("${local.repo_root}/package.json"))

  main_is_typescript = endswith(local.package_json.main, ".ts")
  entry_shim         = "gcf-entry.js"

  # Relative paths inside the repository, in a stable order.
  code_files = sort(concat(
    tolist(fileset(local.repo_root, "functions/**/*.ts")),
    tolist(fileset(local.repo_root, "shared/**/*.ts")),
  ))

  archive_files = merge(
    { for f in local.code_files : f => file("${local.repo_root}/${f}") if !endswith(f, ".test.ts") },
    {
      "package-lock.json" = file("${local.repo_root}/package-lock.json")
      "package.json" = (
        local.main_is_typescript
        ? jsonencode(merge(local.package_json, { main = local.entry_shim }))
        : file("${local.repo_root}/package.json")
      )
    },
    local.main_is_typescript ? { (local.entry_shim) = "import './${local.package_json.main}';\n" } : {},
  )
}

data "archive_file" "source" {
  type             = "zip"
  output_path      = "${path.module}/.build/rbm-lifecycle-source.zip"
  output_file_mode = "0644"

  # https://registry.terraform.io/providers/hashicorp/archive/latest/docs/data-sources/file
  # (`source` blocks: content + filename).
  dynamic "source" {
    for_each = local.archive_files
    content {
      filename = source.key
      content  = source.value
    }
  }
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
  # build_config.source, and so a redeploy of all five functions.
  name         = "rbm-lifecycle/source-${data.archive_file.source.output_sha256}.zip"
  bucket       = google_storage_bucket.source.name
  source       = data.archive_file.source.output_path
  content_type = "application/zip"
}
