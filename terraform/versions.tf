terraform {
  # >= 1.5: `check` blocks and `import` blocks; optional() object attributes need >= 1.3.
  required_version = ">= 1.5"

  required_providers {
    # 7.x is the current major. Its upgrade guide changes nothing this module uses
    # (google_cloudfunctions2_function only made service_config.service output-only,
    # which is read here, never set):
    # https://registry.terraform.io/providers/hashicorp/google/latest/docs/guides/version_7_upgrade
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8.0"
    }
    # time_sleep: the wait for IAM propagation before the functions build (functions.tf).
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9, < 1.0"
    }
  }
}
