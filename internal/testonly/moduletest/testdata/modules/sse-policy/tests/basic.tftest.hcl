mock_provider "azurerm" {}

variables {
  api_name            = "chat"
  api_management_name = "apim-chat"
  resource_group_name = "rg-chat"
}

run "streams" {
  command = plan

  assert {
    condition     = strcontains(data.sseready_apim_policy.this.xml, "buffer-response=\"false\"")
    error_message = "the policy buffers the response"
  }
}

run "timeout" {
  command = plan

  variables {
    timeout = 90
  }

  assert {
    condition     = azurerm_api_management_api_policy.this.xml_content == data.sseready_apim_policy.this.xml
    error_message = "the API policy is not sseready's document"
  }
}
