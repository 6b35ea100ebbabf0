# A test helper, not part of the configuration: runs a test stream through
# the emulated path (App Gateway, then API Management) with the settings a
# plan produced (the chain output), on loopback, 120 times faster than
# Azure's clocks: the 10-minute silence takes 5 s, the load balancer's
# 4-minute idle cut 2 s. No Azure account, no credentials, no network.
terraform {
  required_providers {
    sseready = {
      source = "sseready/sseready"
    }
  }
}

variable "chain" {
  description = "The configuration's chain output, or a variation of it."
  type        = any
}

data "sseready_emulated_stream" "this" {
  # The request a streaming LLM client sends: API Management runs the
  # policy for it, so a <choose> on the stream flag takes the streaming
  # branch (an EventSource's GET has no body for the flag).
  body        = jsonencode({ stream = true })
  app_gateway = var.chain.app_gateway
  apim        = var.chain.apim
  backend     = var.chain.backend
  time_scale  = 120
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
