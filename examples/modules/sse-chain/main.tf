# The whole path of a streaming chat API: an Application Gateway in front
# of API Management, every streaming setting from sseready (the stream
# profile, the appgw-sse and apim-sse-api modules), the path checked as a
# whole (sseready_chain_check), and after the apply a real chat completion
# read through the deployed gateway (sseready_stream_check), which fails
# the apply unless it streams.

data "sseready_stream_profile" "chat" {
  max_event_gap       = var.max_event_gap
  heartbeat_interval  = var.heartbeat_interval
  max_time_to_headers = var.max_time_to_headers
  hops                = ["app_gateway", "apim"]
}

module "gateway" {
  source = "../appgw-sse"

  sku_name            = "Standard_v2"
  max_event_gap       = var.max_event_gap
  heartbeat_interval  = var.heartbeat_interval
  max_time_to_headers = var.max_time_to_headers
  backend_http_settings = {
    apim = { port = 443, protocol = "Https", pick_host_name_from_backend_address = true }
  }
}

module "chat_api" {
  source = "../apim-sse-api"

  api_management = {
    name                = azurerm_api_management.chat.name
    resource_group_name = azurerm_resource_group.chat.name
    sku_name            = azurerm_api_management.chat.sku_name
  }
  name                    = "chat"
  path                    = "chat"
  service_url             = var.openai_endpoint
  forward_request_timeout = data.sseready_stream_profile.chat.apim_forward_request_timeout
  loggers = {
    appinsights = { logger_id = azurerm_api_management_logger.chat.id, sampling_percentage = 25 }
  }
}

# The path as a whole: each hop's clock against the backend's silences.
data "sseready_chain_check" "path" {
  app_gateway = module.gateway.chain_app_gateway
  apim        = module.chat_api.chain_apim
  backend     = module.gateway.chain_backend
}

check "stream_path" {
  assert {
    condition     = data.sseready_chain_check.path.ready
    error_message = "The path breaks the stream:\n${join("\n", [for f in data.sseready_chain_check.path.findings : "${f.hop} ${f.rule}: ${f.message}" if f.severity == "error"])}"
  }
}

# After the apply, a real chat completion through the deployed gateway.
resource "sseready_stream_check" "chat" {
  url = "http://${azurerm_public_ip.appgw.ip_address}/chat/deployments/${var.deployment}/chat/completions?api-version=2024-10-21"
  body = jsonencode({
    stream   = true
    messages = [{ role = "user", content = "Count from 1 to 20, one number per line." }]
  })
  headers = var.subscription_key == null ? {} : { "Ocp-Apim-Subscription-Key" = var.subscription_key }

  duration        = "30s"
  max_first_event = "10s"
  min_events      = 5

  triggers = {
    policy          = module.chat_api.policy_xml
    request_timeout = tostring(module.gateway.request_timeout)
  }

  depends_on = [azurerm_application_gateway.chat, module.chat_api]
}
