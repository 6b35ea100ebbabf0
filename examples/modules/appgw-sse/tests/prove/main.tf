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

data "sseready_emulated_stream" "this" {
  app_gateway = var.app_gateway
  backend     = var.backend
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
