# No mock: the runs apply against the azurerm stand-in itself, which
# needs azurerm's features block as azurerm does.
provider "azurerm" {
  features {}
}

variables {
  api_management_name = "apim-chat"
  resource_group_name = "rg-chat"
}

run "setup" {
  module {
    source = "./tests/setup"
  }
}

run "applied" {
  command = apply

  variables {
    api_name = run.setup.api_name
  }

  assert {
    condition     = startswith(azurerm_api_management_api_policy.this.api_name, "chat-")
    error_message = "the policy is not on the setup module's API"
  }

  assert {
    condition     = output.xml == azurerm_api_management_api_policy.this.xml_content
    error_message = "the output is not the applied document"
  }
}
