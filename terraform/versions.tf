terraform {
  # >= 1.5: `check` blocks and `import` blocks; optional() object attributes need >= 1.3.
  required_version = ">= 1.5"

  required_providers {
    # The floor is the version whose schema the tests check the module against:
    # 6.50.0 (test/fixtures/terraform-provider-schema.json,
    # test/integration/terraform/provider-schema.test.ts). 7.x, the current major,
    # is allowed but not schema-checked: its upgrade guide changes nothing this
    # module uses (google_cloudfunctions2_function only
    # made service_config.service output-only, which is read here, never set):
    # https://registry.terraform.io/providers/hashicorp/google/latest/docs/guides/version_7_upgrade
    google = {
      source  = "hashicorp/google"
      version = ">= 6.50, < 8.0"
    }
    # time_sleep: the wait for IAM propagation before the functions build
    # (functions.tf). Schema-checked at 0.13.1, the floor.
    time = {
      source  = "hashicorp/time"
      version = ">= 0.13, < 1.0"
    }
  }
}
