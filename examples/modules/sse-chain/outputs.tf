output "chain" {
  description = "The path as sseready_chain_check and sseready_emulated_stream take it: app_gateway, apim and backend."
  value = {
    app_gateway = module.gateway.chain_app_gateway
    apim        = module.chat_api.chain_apim
    backend     = module.gateway.chain_backend
  }
}

output "heartbeat_at_most_every" {
  description = "The backend's heartbeat must come at least this often for every hop's clock."
  value       = data.sseready_stream_profile.chat.required_heartbeat_interval
}

output "stream" {
  description = "How the chat completion streamed through the deployed path, after the apply."
  value = {
    outcome        = sseready_stream_check.chat.outcome
    events         = sseready_stream_check.chat.events
    first_event_ms = sseready_stream_check.chat.first_event_ms
    gap_ms_p95     = sseready_stream_check.chat.gap_ms_p95
  }
}
