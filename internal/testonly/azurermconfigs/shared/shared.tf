# What ../good and ../chain both declare, word for word: the resource
# group, the API Management instance with its global policy, product and
# chat API, the logger, the gateway's network, the Front Door profile and
# Azure OpenAI with its content filter. Never planned alone: each of them
# is laid over it (azurermconfigs.Options) and adds its own resources in a
# file of its own.

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
  name     = "rg-chat"
  location = "westeurope"
}

# --- API Management -------------------------------------------------------

resource "azurerm_api_management" "main" {
  name                = "apim-chat"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "StandardV2_1"
}

# api_management_id is not known until apply: linked by reference.
resource "azurerm_api_management_policy" "global" {
  api_management_id = azurerm_api_management.main.id
  xml_content       = file("${path.module}/policies/global.xml")
}

resource "azurerm_api_management_product" "chat" {
  product_id            = "chat"
  api_management_name   = azurerm_api_management.main.name
  resource_group_name   = azurerm_resource_group.main.name
  display_name          = "Chat"
  published             = true
  subscription_required = true
}

resource "azurerm_api_management_api" "chat" {
  name                  = "chat"
  resource_group_name   = azurerm_resource_group.main.name
  api_management_name   = azurerm_api_management.main.name
  revision              = "1"
  display_name          = "Chat completions"
  path                  = "chat"
  protocols             = ["https"]
  service_url           = "https://aoai-chat.openai.azure.com/openai"
  subscription_required = true
}

resource "azurerm_api_management_product_api" "chat" {
  api_name            = azurerm_api_management_api.chat.name
  product_id          = azurerm_api_management_product.chat.product_id
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_application_insights" "main" {
  name                = "appi-chat"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  application_type    = "web"
}

resource "azurerm_api_management_logger" "main" {
  name                = "appi-chat"
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  resource_id         = azurerm_application_insights.main.id

  application_insights {
    connection_string = azurerm_application_insights.main.connection_string
  }
}

# --- Application Gateway's network ----------------------------------------

resource "azurerm_virtual_network" "main" {
  name                = "vnet-chat"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  address_space       = ["10.20.0.0/16"]
}

resource "azurerm_subnet" "appgw" {
  name                 = "snet-appgw"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.20.1.0/24"]
}

# --- Front Door -----------------------------------------------------------

resource "azurerm_cdn_frontdoor_profile" "main" {
  name                     = "afd-chat"
  resource_group_name      = azurerm_resource_group.main.name
  sku_name                 = "Standard_AzureFrontDoor"
  response_timeout_seconds = 240
}

# --- Azure OpenAI ---------------------------------------------------------

resource "azurerm_cognitive_account" "openai" {
  name                  = "aoai-chat"
  location              = azurerm_resource_group.main.location
  resource_group_name   = azurerm_resource_group.main.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "aoai-chat"
}

resource "azurerm_cognitive_account_rai_policy" "streaming" {
  name                 = "streaming"
  cognitive_account_id = azurerm_cognitive_account.openai.id
  base_policy_name     = "Microsoft.Default"
  mode                 = "Asynchronous_filter"

  content_filter {
    name               = "Hate"
    filter_enabled     = true
    block_enabled      = true
    severity_threshold = "High"
    source             = "Completion"
  }
}
