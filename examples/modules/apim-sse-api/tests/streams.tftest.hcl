# The module's settings stream, proven on loopback; broken variables stop
# the apply the way sseready's rules say. azurerm is mocked: no Azure
# account is needed, and sseready runs for real.
mock_provider "azurerm" {}

variables {
  api_management = {
    name                = "apim-chat"
    resource_group_name = "rg-chat"
    sku_name            = "StandardV2_1"
  }
  name        = "chat"
  path        = "chat"
  service_url = "https://aoai-chat.openai.azure.com/openai"
  loggers = {
    appinsights = { logger_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-chat/providers/Microsoft.ApiManagement/service/apim-chat/loggers/appi-chat" }
  }
}

run "settings" {
  # apply, not plan: OpenTofu 1.8 gives later runs the outputs of applied runs only.
  command = apply

  assert {
    condition     = strcontains(azurerm_api_management_api_policy.this.xml_content, "buffer-response=\"false\"")
    error_message = "The policy must forward with buffer-response=\"false\"."
  }
  assert {
    condition = alltrue([for b in ["frontend_request", "frontend_response", "backend_request", "backend_response"] :
    azurerm_api_management_api_diagnostic.this["appinsights"][b][0].body_bytes == 0])
    error_message = "Every diagnostic block must log no body bytes."
  }
  assert {
    condition     = azurerm_api_management_api_operation.this["chat-completions"].template_parameter[0].name == "deployment-id"
    error_message = "The operation's URL template parameter must be declared."
  }
}

run "settings_stream" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    apim = run.settings.chain_apim
  }

  assert {
    condition     = output.outcome == "streamed"
    error_message = "The module's settings did not stream: ${output.outcome}: ${output.message}"
  }
  assert {
    condition     = length(output.events) == 6 && alltrue([for e in output.events : e.latency_ms < 500])
    error_message = "Every event must arrive, each within 500 ms of being sent."
  }
}

# forward-request without buffer-response="false" buffers the response.
run "buffering_policy_stops_the_apply" {
  command = plan
  variables {
    policy_xml = "<policies><inbound><base /></inbound><backend><forward-request timeout=\"120\" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
  }
  expect_failures = [azurerm_api_management_api_policy.this]
}

run "buffering_policy_does_not_stream" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    apim       = run.settings.chain_apim
    policy_xml = "<policies><inbound><base /></inbound><backend><forward-request timeout=\"120\" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
  }

  # APIM holds the response in its buffer; the heartbeats reach no one
  # and the load balancer's 4-minute idle clock cuts the stream.
  assert {
    condition     = output.outcome == "cut" && output.hops[0].effect == "buffer" && contains(output.hops[0].rules, "SSE101")
    error_message = "A buffering forward-request must be cut at APIM by rule SSE101, not ${output.outcome}."
  }
}

run "consumption_tier_stops_the_apply" {
  command = plan
  variables {
    api_management = {
      name                = "apim-chat"
      resource_group_name = "rg-chat"
      sku_name            = "Consumption_0"
    }
  }
  expect_failures = [azurerm_api_management_api_policy.this]
}

run "consumption_tier_refuses" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    apim     = run.settings.chain_apim
    sku_name = "Consumption_0"
  }

  assert {
    condition     = output.outcome == "refused" && output.hops[0].outcome == "refused"
    error_message = "The Consumption tier must refuse the stream, not ${output.outcome}."
  }
}

run "timeout_out_of_range" {
  command = plan
  variables {
    forward_request_timeout = 600
  }
  expect_failures = [var.forward_request_timeout]
}

# The API's own settings reach azurerm as given; a revision other than 1 is
# what its operations, policy and diagnostics are written on.
run "revision_version_and_keys" {
  command = plan
  variables {
    display_name                     = "Chat (streaming)"
    protocols                        = ["https", "wss"]
    subscription_required            = false
    subscription_key_parameter_names = { header = "api-key", query = "key" }
    revision                         = "2"
    api_version                      = "v1"
    version_set_id                   = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-chat/providers/Microsoft.ApiManagement/service/apim-chat/apiVersionSets/chat"
  }

  assert {
    condition = (azurerm_api_management_api.this.revision == "2" && azurerm_api_management_api.this.display_name == "Chat (streaming)"
      && toset(azurerm_api_management_api.this.protocols) == toset(["https", "wss"]) && azurerm_api_management_api.this.subscription_required == false
    && azurerm_api_management_api.this.version == "v1" && endswith(azurerm_api_management_api.this.version_set_id, "/apiVersionSets/chat"))
    error_message = "The API must be written with the revision, display name, protocols, subscription and version given."
  }
  assert {
    condition     = azurerm_api_management_api.this.subscription_key_parameter_names[0].header == "api-key" && azurerm_api_management_api.this.subscription_key_parameter_names[0].query == "key"
    error_message = "The subscription key's header and query names must be the ones given."
  }
  assert {
    condition = (azurerm_api_management_api_operation.this["chat-completions"].api_name == "chat;rev=2"
    && azurerm_api_management_api_policy.this.api_name == "chat;rev=2" && azurerm_api_management_api_diagnostic.this["appinsights"].api_name == "chat;rev=2")
    error_message = "The operations, policy and diagnostics must be written on revision 2 (chat;rev=2)."
  }
}

run "defaults_leave_the_key_names_to_api_management" {
  command = plan

  assert {
    condition     = length(azurerm_api_management_api.this.subscription_key_parameter_names) == 0 && azurerm_api_management_api.this.revision == "1" && azurerm_api_management_api_policy.this.api_name == "chat"
    error_message = "By default the module writes revision 1 by the API's name and leaves the key names to API Management."
  }
}

run "version_needs_a_version_set" {
  command = plan
  variables {
    api_version = "v1"
  }
  expect_failures = [azurerm_api_management_api.this]
}

run "revision_is_a_number" {
  command = plan
  variables {
    revision = "next"
  }
  expect_failures = [var.revision]
}
