# Calling the module: a chat completions API that streams, on a
# StandardV2 instance, with Application Insights logging that never logs
# bodies. Copy it, then point source at your copy of the module.
terraform {
  required_version = ">= 1.8"
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
    sseready = {
      source = "sseready/sseready"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "chat" {
  name     = "rg-chat"
  location = "westeurope"
}

resource "azurerm_api_management" "chat" {
  name                = "apim-chat-example"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "StandardV2_1"
}

resource "azurerm_application_insights" "chat" {
  name                = "appi-chat"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  application_type    = "web"
}

resource "azurerm_api_management_logger" "chat" {
  name                = "appi-chat"
  api_management_name = azurerm_api_management.chat.name
  resource_group_name = azurerm_resource_group.chat.name
  resource_id         = azurerm_application_insights.chat.id

  application_insights {
    connection_string = azurerm_application_insights.chat.connection_string
  }
}

module "chat_api" {
  source = "../.."

  api_management = {
    name                = azurerm_api_management.chat.name
    resource_group_name = azurerm_resource_group.chat.name
    sku_name            = azurerm_api_management.chat.sku_name
  }
  name        = "chat"
  path        = "chat"
  service_url = "https://aoai-chat-example.openai.azure.com/openai"

  # Your own policies go in as fragments, checked by sseready's rules.
  inbound_xml = <<-XML
    <rate-limit-by-key calls="60" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
  XML

  loggers = {
    appinsights = {
      logger_id           = azurerm_api_management_logger.chat.id
      sampling_percentage = 25
      headers_to_log      = { frontend_request = ["X-Request-Id"] }
    }
  }
}

output "policy_xml" {
  value = module.chat_api.policy_xml
}
