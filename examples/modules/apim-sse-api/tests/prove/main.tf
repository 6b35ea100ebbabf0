# A test helper, not part of the module: runs a test stream through an
# emulated API Management hop with the settings a run of the module
# produced (its chain_apim output), on loopback, 600 times faster than
# Azure's clocks. No Azure account, no credentials, no network.
terraform {
  required_providers {
    sseready = {
      source = "sseready/sseready"
    }
  }
}

variable "apim" {
  description = "The module's chain_apim output, or a variation of it."
  type        = any
}

variable "sku_name" {
  description = "Another SKU to prove instead of the module's."
  type        = string
  default     = null
}

variable "policy_xml" {
  description = "Another API policy to prove instead of the module's."
  type        = string
  default     = null
}

variable "backend" {
  description = "How the backend streams: its longest silence and heartbeat."
  type = object({
    max_event_gap      = string
    heartbeat_interval = optional(string)
  })
  default = { max_event_gap = "5m", heartbeat_interval = "20s" }
}

# The variations are composed here: a test file's run blocks may not call
# functions on OpenTofu 1.8.
locals {
  apim = {
    sku_name    = coalesce(var.sku_name, var.apim.sku_name)
    policies    = var.policy_xml == null ? var.apim.policies : [{ scope = "api", xml = var.policy_xml }]
    fragments   = var.apim.fragments
    diagnostics = var.apim.diagnostics
  }
}

data "sseready_emulated_stream" "this" {
  # The request a streaming LLM client sends: API Management runs the
  # policy for it, so a <choose> on the stream flag takes the streaming
  # branch (an EventSource's GET has no body for the flag).
  body           = jsonencode({ stream = true })
  apim           = local.apim
  backend        = var.backend
  event_interval = "60s"
  time_scale     = 600
}

output "outcome" {
  value = data.sseready_emulated_stream.this.outcome
}

output "message" {
  description = "Why the stream failed; empty when it streamed."
  value       = coalesce(data.sseready_emulated_stream.this.message, "-")
}

output "hops" {
  value = data.sseready_emulated_stream.this.hops
}

output "events" {
  value = data.sseready_emulated_stream.this.events
}
