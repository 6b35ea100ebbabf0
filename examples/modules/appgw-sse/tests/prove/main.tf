# A test helper, not part of the module: runs a test stream through an
# emulated Application Gateway with the values a run of the module
# produced (chain_app_gateway, chain_backend), on loopback, 60 times
# faster than Azure's clocks: the gateway's 30-second timeout takes 0.5 s.
# No Azure account, no credentials, no network.
terraform {
  required_providers {
    sseready = {
      source = "sseready/sseready"
    }
  }
}

variable "app_gateway" {
  description = "The module's chain_app_gateway output, or a variation of it."
  type        = any
}

variable "backend" {
  description = "The module's chain_backend output."
  type        = any
}

variable "request_timeout" {
  description = "Another request_timeout to prove instead of the module's."
  type        = number
  default     = null
}

variable "without_global" {
  description = "Prove the gateway without its global block: it then buffers responses, its default."
  type        = bool
  default     = false
}

variable "without_heartbeat" {
  description = "Prove a backend that sends no heartbeat."
  type        = bool
  default     = false
}

# The variations are composed here: a test file's run blocks may not call
# functions on OpenTofu 1.8.
locals {
  app_gateway = {
    sku_name               = var.app_gateway.sku_name
    global                 = var.without_global ? null : var.app_gateway.global
    request_timeout        = coalesce(var.request_timeout, var.app_gateway.request_timeout)
    waf_request_body_check = var.app_gateway.waf_request_body_check
  }
  backend = {
    max_event_gap       = var.backend.max_event_gap
    heartbeat_interval  = var.without_heartbeat ? null : var.backend.heartbeat_interval
    max_time_to_headers = var.backend.max_time_to_headers
  }
}

data "sseready_emulated_stream" "this" {
  # The request a streaming LLM client sends: API Management runs the
  # policy for it, so a <choose> on the stream flag takes the streaming
  # branch (an EventSource's GET has no body for the flag).
  body        = jsonencode({ stream = true })
  app_gateway = local.app_gateway
  backend     = local.backend
  time_scale  = 60
}

output "outcome" {
  value = data.sseready_emulated_stream.this.outcome
}

output "message" {
  description = "Why the stream failed; \"-\" when it streamed."
  value       = coalesce(data.sseready_emulated_stream.this.message, "-")
}

output "hops" {
  value = data.sseready_emulated_stream.this.hops
}

output "events" {
  value = data.sseready_emulated_stream.this.events
}
