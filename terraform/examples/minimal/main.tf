# The smallest working deployment of rbm-lifecycle: one project, the default
# Firestore database, the generic HTTP SMS provider. Replace the placeholder
# values (or set them in terraform.tfvars) and follow docs/deploy.md.

terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.50, < 8.0"
    }
    # time_sleep: the wait for IAM propagation before the functions build (functions.tf).
    time = {
      source  = "hashicorp/time"
      version = ">= 0.13, < 1.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

variable "project_id" {
  description = "Google Cloud project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the functions, queues and Scheduler job."
  type        = string
  default     = "us-central1"
}

variable "agent_id" {
  description = "The RBM agent id (from the RBM Developer Console)."
  type        = string
  default     = "my-agent"
}

variable "sms_http_url" {
  description = "HTTPS endpoint of the generic SMS provider (docs/fallback.md)."
  type        = string
  default     = "https://sms.example.com/v1/messages"
}

variable "backend_service_account" {
  description = "Email of the business backend's service account, the one caller allowed to use the messages API."
  type        = string
  default     = null
}

module "rbm_lifecycle" {
  source = "../.."

  project_id = var.project_id
  region     = var.region
  agent_id   = var.agent_id

  # Secrets are created beforehand with gcloud (docs/deploy.md); only their ids go here.
  secrets = {
    # Pinned, so a rotation is a deliberate apply (docs/deploy.md, "Rotating the clientToken").
    rbm_client_token        = { secret = "rbm-client-token", version = "1" }
    rbm_service_account_key = { secret = "rbm-service-account-key" }
    sms_http_secret         = { secret = "sms-http-secret" }
  }

  sms_provider = "http"
  sms = {
    http_url = var.sms_http_url
  }

  messages_invokers = var.backend_service_account == null ? [] : ["serviceAccount:${var.backend_service_account}"]

  # Create the database here; drop this block to use an existing (default) database.
  firestore = {
    create_database = true
    location_id     = "nam5"
  }
}

output "webhook_url" {
  description = "Register this URL as the agent's webhook in the RBM Developer Console."
  value       = module.rbm_lifecycle.webhook_url
}

output "messages_url" {
  description = "Base URL of the messages API for the business backend."
  value       = module.rbm_lifecycle.messages_url
}

output "tasks_service_account" {
  description = "Identity of the revoke and fallback tasks (the only invoker of those functions)."
  value       = module.rbm_lifecycle.tasks_service_account
}

output "function_urls" {
  description = "Deterministic run.app URL of each function; `gcloud run services describe` must show the same (docs/deploy.md, step 2)."
  value       = module.rbm_lifecycle.function_urls
}

output "queues" {
  description = "The Cloud Tasks queues, keyed revoke and fallback."
  value       = module.rbm_lifecycle.queues
}
