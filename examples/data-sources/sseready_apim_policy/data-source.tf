# Microsoft's recommended policy for an SSE API: forward-request with
# buffer-response="false", a 120 s timeout and fail-on-error-status-code.
data "sseready_apim_policy" "default" {}

# A chat API that routes to an APIM backend, limits callers, and tells
# intermediaries not to cache the stream. Your own policies are checked
# with the same rules: a policy that would buffer the stream here is an
# error naming its rule.
data "sseready_apim_policy" "chat" {
  timeout                = 90
  http_version           = "2or1"
  cache_control_no_cache = true
  backend_id             = "chat-completions"

  inbound_xml = <<-XML
    <rate-limit-by-key calls="60" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
  XML

  outbound_xml = <<-XML
    <set-header name="X-Accel-Buffering" exists-action="override">
      <value>no</value>
    </set-header>
  XML
}

# In a real configuration, hand the document to azurerm:
#
# resource "azurerm_api_management_api_policy" "chat" {
#   api_name            = azurerm_api_management_api.chat.name
#   api_management_name = azurerm_api_management.main.name
#   resource_group_name = azurerm_resource_group.main.name
#   xml_content         = data.sseready_apim_policy.chat.xml
# }

output "chat_policy" {
  value = data.sseready_apim_policy.chat.xml
}
