# A chat API streams tokens; between answers it may stay silent for up to
# ten minutes, so the backend sends a comment heartbeat every 20 seconds.
# The stream crosses Front Door, Application Gateway and API Management.
data "sseready_stream_profile" "chat" {
  max_event_gap       = "10m"
  heartbeat_interval  = "20s"
  max_time_to_headers = "15s"
  hops                = ["front_door", "app_gateway", "apim"]
}

# The values go to the hops that have a timeout:
#
#   azurerm_cdn_frontdoor_profile.response_timeout_seconds = data.sseready_stream_profile.chat.front_door_origin_response_timeout
#   azurerm_application_gateway.backend_http_settings.request_timeout = data.sseready_stream_profile.chat.appgw_request_timeout
#   data.sseready_apim_policy.timeout = data.sseready_stream_profile.chat.apim_forward_request_timeout

output "heartbeat_at_most_every" {
  value = data.sseready_stream_profile.chat.required_heartbeat_interval
}

output "timeouts" {
  value = {
    front_door  = data.sseready_stream_profile.chat.front_door_origin_response_timeout
    app_gateway = data.sseready_stream_profile.chat.appgw_request_timeout
    apim        = data.sseready_stream_profile.chat.apim_forward_request_timeout
  }
}

output "backend_must_send" {
  value = data.sseready_stream_profile.chat.backend_response_headers
}

# A check block reports on every plan and apply, but only as a warning: it
# never stops one.
check "stream_survives_the_path" {
  assert {
    condition     = data.sseready_stream_profile.chat.ready
    error_message = join("\n", [for f in data.sseready_stream_profile.chat.findings : "${f.hop}: ${f.message}" if f.severity == "error"])
  }
}

# To stop the apply, put the condition on what deploys the settings (in a
# real configuration the azurerm_application_gateway; terraform_data stands
# in for it here).
resource "terraform_data" "gateway_timeout" {
  input = data.sseready_stream_profile.chat.appgw_request_timeout

  lifecycle {
    precondition {
      condition     = data.sseready_stream_profile.chat.ready
      error_message = join("\n", [for f in data.sseready_stream_profile.chat.findings : "${f.hop}: ${f.message}" if f.severity == "error"])
    }
  }
}
