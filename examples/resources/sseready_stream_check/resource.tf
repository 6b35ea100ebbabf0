# After the chat API's policy and gateway settings are applied, read a
# chat completion through the whole path and fail the apply unless it
# streams: at least 5 content events (tokens), the first event within 5
# seconds, no cut in 30, and data: [DONE] at the end.
variable "openai_key" {
  type      = string
  ephemeral = true # Terraform 1.10+: never in the plan or the state
  sensitive = true
}

resource "sseready_stream_check" "chat" {
  url = "https://apim-chat.azure-api.net/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
  body = jsonencode({
    stream   = true
    messages = [{ role = "user", content = "Count from 1 to 20, one number per line." }]
  })
  headers_wo = { "api-key" = var.openai_key } # Terraform 1.11+
  # Or, on any version, a key the provider reads from its environment
  # (export AZURE_OPENAI_KEY where terraform runs), its value stored nowhere:
  #   headers_from_env = { "api-key" = "AZURE_OPENAI_KEY" }
  # and a subscription key API Management takes in the query (never in
  # url, which is stored):
  #   query_from_env = { "subscription-key" = "APIM_SUBSCRIPTION_KEY" }

  duration        = "30s"
  max_first_event = "5s"
  min_events      = 5

  # Read again whenever what the stream crosses changes.
  triggers = {
    policy = azurerm_api_management_api_policy.chat.xml_content
    appgw  = jsonencode(azurerm_application_gateway.main.global)
  }
}

# An MCP server behind the same gateway: one call of its tool, whose
# progress notifications must arrive one by one, over Streamable HTTP
# (or the older HTTP+SSE transport), compressed as clients ask for it.
resource "sseready_stream_check" "mcp" {
  url              = "https://apim-chat.azure-api.net/mcp"
  headers_from_env = { "Ocp-Apim-Subscription-Key" = "APIM_KEY" }
  mcp_tool         = "count"
  mcp_args         = jsonencode({ steps = 5 })
  mcp_transport    = "auto"
  compressed       = true
  min_events       = 5 # progress notifications

  triggers = { policy = azurerm_api_management_api_policy.mcp.xml_content }
}

output "chat_stream" {
  value = {
    outcome        = sseready_stream_check.chat.outcome
    protocol       = sseready_stream_check.chat.protocol  # chat_completions, recognised
    completed      = sseready_stream_check.chat.completed # data: [DONE] arrived
    content_events = sseready_stream_check.chat.content_events
    events         = sseready_stream_check.chat.events
    first_event_ms = sseready_stream_check.chat.first_event_ms
    gap_ms_p95     = sseready_stream_check.chat.gap_ms_p95
  }
}
