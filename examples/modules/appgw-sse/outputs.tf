output "global" {
  description = "The global block's values: response_buffering_enabled = false, so the gateway relays each event as it comes. Use it in a dynamic \"global\" block."
  value       = local.global

  precondition {
    condition     = data.sseready_chain_check.this.ready
    error_message = "These Application Gateway settings break the stream:\n${join("\n", local.chain_errors)}"
  }
}

output "request_timeout" {
  description = "For backend_http_settings.request_timeout, in seconds: your request_timeout, or a third above the longest silence (at least 30)."
  value       = local.request_timeout

  precondition {
    condition     = data.sseready_chain_check.this.ready
    error_message = "These Application Gateway settings break the stream:\n${join("\n", local.chain_errors)}"
  }
}

output "backend_http_settings" {
  description = "Your backend_http_settings, each with request_timeout set, as a list for a dynamic \"backend_http_settings\" block."
  value       = [for name, s in var.backend_http_settings : merge(s, { name = name, request_timeout = local.request_timeout })]
}

output "backend_response_headers" {
  description = "The headers your backend should send for clients and the hops around the gateway."
  value       = data.sseready_appgw_settings.this.backend_response_headers
}

output "findings" {
  description = "Warnings and notes on the settings (errors stop the plan)."
  value       = concat(data.sseready_appgw_settings.this.findings, data.sseready_chain_check.this.findings)
}

output "chain_app_gateway" {
  description = "This hop as sseready_chain_check and sseready_emulated_stream take it (their app_gateway argument)."
  value       = local.chain_app_gateway
}

output "chain_backend" {
  description = "The backend's timing as sseready_chain_check and sseready_emulated_stream take it (their backend argument)."
  value       = local.backend
}
