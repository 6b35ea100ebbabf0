# A chat API on the Consumption tier, which does not keep long-running
# connections: sseready init --from-plan must blame the instance's
# sku_name, not a flag.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "main" {
  name     = "rg-serverless"
  location = "westeurope"
}

resource "azurerm_api_management" "main" {
  name                = "apim-serverless"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "Consumption_0"
}

resource "azurerm_api_management_api" "chat" {
  name                = "chat"
  resource_group_name = azurerm_resource_group.main.name
  api_management_name = azurerm_api_management.main.name
  revision            = "1"
  display_name        = "Chat"
  path                = "chat"
  protocols           = ["https"]
  service_url         = "https://aoai-chat.openai.azure.com/openai"
}

resource "azurerm_api_management_api_operation" "completions" {
  operation_id        = "completions"
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Completions"
  method              = "POST"
  url_template        = "/deployments/{deployment-id}/chat/completions"
}
