# Application Gateway in front of an SSE backend that sends a heartbeat
# every 30 seconds, with the WAF inspecting request bodies.
data "sseready_appgw_settings" "sse" {
  sku_name            = "WAF_v2"
  max_event_gap       = "5m"
  heartbeat_interval  = "30s"
  waf_body_inspection = true
}

# In azurerm_application_gateway:
#
#   global {
#     response_buffering_enabled = data.sseready_appgw_settings.sse.response_buffering_enabled
#     request_buffering_enabled  = data.sseready_appgw_settings.sse.request_buffering_enabled
#   }
#   backend_http_settings {
#     # ...
#     request_timeout = data.sseready_appgw_settings.sse.request_timeout
#   }

output "global_block" {
  value = {
    response_buffering_enabled = data.sseready_appgw_settings.sse.response_buffering_enabled
    request_buffering_enabled  = data.sseready_appgw_settings.sse.request_buffering_enabled
  }
}

output "request_timeout" {
  value = data.sseready_appgw_settings.sse.request_timeout
}
