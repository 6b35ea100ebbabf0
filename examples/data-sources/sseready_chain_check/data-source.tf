# Check the whole path of a stream as it is configured. In a real
# configuration the values come from the azurerm resources, for example:
#
#   app_gateway = {
#     sku_name        = azurerm_application_gateway.main.sku[0].name
#     global          = try(azurerm_application_gateway.main.global[0], null)
#     request_timeout = one([for s in azurerm_application_gateway.main.backend_http_settings : s.request_timeout if s.name == "chat"])
#   }
#   apim = {
#     sku_name = azurerm_api_management.main.sku_name
#     policies = [{ scope = "api", xml = azurerm_api_management_api_policy.chat.xml_content }]
#   }
#
# Here the values are written out: this gateway has no global block and
# keeps azurerm's default timeout of 30 s, which breaks the stream.
data "sseready_chain_check" "chat" {
  app_gateway = {
    sku_name = "Standard_v2"
  }
  apim = {
    sku_name = "StandardV2_1"
    policies = [{
      scope = "api"
      xml   = "<policies><backend><forward-request timeout=\"120\" buffer-response=\"false\" /></backend></policies>"
    }]
  }
  backend = {
    max_event_gap      = "2m"
    heartbeat_interval = "45s"
    response_headers = {
      "Content-Type"      = "text/event-stream"
      "Cache-Control"     = "no-cache"
      "Connection"        = "keep-alive"
      "X-Accel-Buffering" = "no"
    }
  }
}

output "chat_path_ready" {
  value = data.sseready_chain_check.chat.ready
}

output "chat_path_findings" {
  value = [for f in data.sseready_chain_check.chat.findings : "${f.hop} ${f.element}: ${f.severity} ${f.rule}: ${f.message}"]
}
