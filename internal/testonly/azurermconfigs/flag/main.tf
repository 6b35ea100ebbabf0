# The stream flag set in one scope and read in another, in a plan: the
# global policy computes it in a block as public LLM gateways do (the
# flag's text, "True" or "False"); the chat API routes on it without case,
# buffering the others on purpose; the completions API compares it with
# == "true", which never matches, so its streams take the buffering
# branch. The echo API inherits the global policy, which streams and
# reads the flag: what a shared policy holds says nothing of one API, so
# nothing says whether echo streams. Planned by the real terraform
# against the azurerm stand-in.

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = "00000000-0000-0000-0000-000000000000"
}

resource "azurerm_resource_group" "main" {
  name     = "rg-flag"
  location = "westeurope"
}

resource "azurerm_api_management" "main" {
  name                = "apim-flag"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "StandardV2_1"
}

resource "azurerm_api_management_policy" "global" {
  api_management_id = azurerm_api_management.main.id
  xml_content       = file("${path.module}/policies/global.xml")
}

resource "azurerm_api_management_api" "api" {
  for_each              = toset(["chat", "completions", "echo"])
  name                  = each.key
  resource_group_name   = azurerm_resource_group.main.name
  api_management_name   = azurerm_api_management.main.name
  revision              = "1"
  display_name          = each.key
  path                  = each.key
  protocols             = ["https"]
  service_url           = each.key == "echo" ? "https://echoapi.cloudapp.net/api" : "https://contoso.openai.azure.com/openai"
  subscription_required = true
}

resource "azurerm_api_management_api_policy" "api" {
  for_each            = azurerm_api_management_api.api
  api_name            = each.value.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = file("${path.module}/policies/${each.key}.xml")
}
