# The rest of the chain for the chat API: how its stream behaves, and the
# settings of every hop it crosses (Application Gateway, API Management
# and the load balancer inside it).

# The chat backend may stay silent for ten minutes between answers and
# sends a comment heartbeat every 20 seconds.
data "sseready_stream_profile" "chat" {
  max_event_gap       = "10m"
  heartbeat_interval  = "20s"
  max_time_to_headers = "30s"
  hops                = ["app_gateway", "apim"]
}

data "sseready_appgw_settings" "chat" {
  sku_name            = "WAF_v2"
  max_event_gap       = "10m"
  heartbeat_interval  = "20s"
  max_time_to_headers = "30s"
  waf_body_inspection = true
}

data "sseready_apim_diagnostic" "chat" {
  identifier          = "applicationinsights"
  sampling_percentage = 25
  headers_to_log      = { frontend_request = ["X-Request-Id"] }
}

# The chain as sseready would set it up: ready.
data "sseready_chain_check" "good" {
  app_gateway = {
    sku_name               = "WAF_v2"
    waf_request_body_check = true
    global = {
      request_buffering_enabled  = data.sseready_appgw_settings.chat.request_buffering_enabled
      response_buffering_enabled = data.sseready_appgw_settings.chat.response_buffering_enabled
    }
    request_timeout = data.sseready_appgw_settings.chat.request_timeout
  }
  apim = {
    sku_name = "StandardV2_1"
    policies = [{ scope = "api", xml = data.sseready_apim_policy.chat.xml }]
    diagnostics = [{
      identifier        = "applicationinsights"
      frontend_request  = data.sseready_apim_diagnostic.chat.frontend_request
      frontend_response = data.sseready_apim_diagnostic.chat.frontend_response
      backend_request   = data.sseready_apim_diagnostic.chat.backend_request
      backend_response  = data.sseready_apim_diagnostic.chat.backend_response
    }]
  }
  backend = {
    max_event_gap       = "10m"
    heartbeat_interval  = "20s"
    max_time_to_headers = "30s"
    response_headers    = data.sseready_stream_profile.chat.backend_response_headers
  }
}

# The same chain as it often ends up: the gateway keeps its defaults, the
# API runs on the Consumption tier with the legacy policy, a global
# diagnostic logs bodies, and the backend sends no heartbeat.
data "sseready_chain_check" "broken" {
  app_gateway = {
    sku_name = "WAF_v2"
  }
  apim = {
    sku_name = "Consumption_0"
    policies = [{ scope = "api", xml = file("${path.module}/legacy-policy.xml") }]
    diagnostics = [{
      scope             = "global"
      identifier        = "applicationinsights"
      frontend_response = { body_bytes = 8192 }
    }]
  }
  backend = {
    max_event_gap    = "10m"
    response_headers = { "Content-Type" = "application/json" }
  }
}

output "chain_settings" {
  description = "What to set on each hop for the chat stream."
  value = {
    heartbeat_at_most_every      = data.sseready_stream_profile.chat.required_heartbeat_interval
    appgw_response_buffering     = data.sseready_appgw_settings.chat.response_buffering_enabled
    appgw_request_buffering      = data.sseready_appgw_settings.chat.request_buffering_enabled
    appgw_request_timeout        = data.sseready_appgw_settings.chat.request_timeout
    apim_forward_request_timeout = data.sseready_stream_profile.chat.apim_forward_request_timeout
    apim_diagnostic_body_bytes   = data.sseready_apim_diagnostic.chat.frontend_response.body_bytes
    backend_response_headers     = data.sseready_stream_profile.chat.backend_response_headers
  }
}

output "good_chain_ready" {
  value = data.sseready_chain_check.good.ready
}

output "broken_chain_ready" {
  value = data.sseready_chain_check.broken.ready
}

output "broken_chain_report" {
  description = "What breaks the broken chain, hop by hop."
  value       = join("\n", [for f in data.sseready_chain_check.broken.findings : "${f.hop} ${f.element}: ${f.severity} ${f.rule}: ${f.message}" if f.severity != "info"])
}

# Both chains' App Gateway and diagnostic settings as JSON files for
# `sseready prove`, which runs a stream through them on loopback (make demo
# does, with chat_policy_xml and legacy-policy.xml as the APIM policies).
output "good_chain_appgw_json" {
  value = jsonencode(data.sseready_chain_check.good.app_gateway)
}

output "good_chain_diagnostic_json" {
  value = jsonencode(data.sseready_chain_check.good.apim.diagnostics[0])
}

output "broken_chain_appgw_json" {
  value = jsonencode(data.sseready_chain_check.broken.app_gateway)
}

output "broken_chain_diagnostic_json" {
  value = jsonencode(data.sseready_chain_check.broken.apim.diagnostics[0])
}
