# One API Management instance with three APIs side by side, as a gateway
# team runs it: an LLM chat API whose policy routes to an Azure OpenAI
# backend entity (set-backend-service backend-id), a plain echo API, and a
# REST API whose operations declare JSON responses only. A Front Door
# fronts the instance's gateway host directly. The global policy forwards
# without buffer-response="false" and Front Door's timeout is its
# shortest: errors for the API that streams, warnings for the one nothing
# says anything about, info for the one that does not stream. Planned by
# the real terraform against the azurerm stand-in for check-plan's tests.

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
  name     = "rg-apis"
  location = "westeurope"
}

# --- API Management -------------------------------------------------------

resource "azurerm_api_management" "main" {
  name                = "apim-gateway"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "StandardV2_1"

  hostname_configuration {
    proxy {
      host_name = "api.contoso.example"
    }
  }
}

resource "azurerm_api_management_policy" "global" {
  api_management_id = azurerm_api_management.main.id
  xml_content       = file("${path.module}/policies/global.xml")
}

# The chat API: its backend is the backend entity "aoai", named in its
# policy, whose url is the Azure OpenAI account's endpoint.
resource "azurerm_api_management_api" "chat" {
  name                  = "chat"
  resource_group_name   = azurerm_resource_group.main.name
  api_management_name   = azurerm_api_management.main.name
  revision              = "1"
  display_name          = "Chat"
  path                  = "chat"
  protocols             = ["https"]
  subscription_required = true
}

resource "azurerm_api_management_api_policy" "chat" {
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = file("${path.module}/policies/chat.xml")
}

resource "azurerm_api_management_api_operation" "chat_completions" {
  operation_id        = "chat-completions"
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Create a chat completion"
  method              = "POST"
  url_template        = "/deployments/{deployment-id}/chat/completions"

  template_parameter {
    name     = "deployment-id"
    required = true
    type     = "string"
  }
}

resource "azurerm_api_management_backend" "aoai" {
  name                = "aoai"
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  protocol            = "http"
  url                 = "https://aoai-gateway.openai.azure.com/openai"
}

# The echo API: nothing says whether it streams.
resource "azurerm_api_management_api" "echo" {
  name                  = "echo-api"
  resource_group_name   = azurerm_resource_group.main.name
  api_management_name   = azurerm_api_management.main.name
  revision              = "1"
  display_name          = "Echo API"
  path                  = "echo"
  protocols             = ["https"]
  service_url           = "https://echoapi.cloudapp.net/api"
  subscription_required = false
}

resource "azurerm_api_management_api_operation" "echo_get" {
  operation_id        = "retrieve-resource"
  api_name            = azurerm_api_management_api.echo.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Retrieve resource"
  method              = "GET"
  url_template        = "/resource"
}

# The orders API: a REST API whose operations declare JSON responses only.
resource "azurerm_api_management_api" "orders" {
  name                  = "orders"
  resource_group_name   = azurerm_resource_group.main.name
  api_management_name   = azurerm_api_management.main.name
  revision              = "1"
  display_name          = "Orders"
  path                  = "orders"
  protocols             = ["https"]
  service_url           = "https://orders.internal.contoso.example"
  subscription_required = true
}

resource "azurerm_api_management_api_operation" "orders_list" {
  operation_id        = "list-orders"
  api_name            = azurerm_api_management_api.orders.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "List orders"
  method              = "GET"
  url_template        = "/orders"

  response {
    status_code = 200
    representation {
      content_type = "application/json"
    }
  }
}

resource "azurerm_api_management_api_operation" "orders_create" {
  operation_id        = "create-order"
  api_name            = azurerm_api_management_api.orders.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Create an order"
  method              = "POST"
  url_template        = "/orders"

  request {
    representation {
      content_type = "application/json"
    }
  }

  response {
    status_code = 201
    representation {
      content_type = "application/json"
    }
  }

  response {
    status_code = 400
    representation {
      content_type = "application/problem+json"
    }
  }
}

# --- Front Door, straight to the gateway host -----------------------------

resource "azurerm_cdn_frontdoor_profile" "main" {
  name                     = "afd-apis"
  resource_group_name      = azurerm_resource_group.main.name
  sku_name                 = "Standard_AzureFrontDoor"
  response_timeout_seconds = 16
}

resource "azurerm_cdn_frontdoor_origin_group" "apim" {
  name                     = "apim"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.main.id

  load_balancing {}
}

resource "azurerm_cdn_frontdoor_origin" "apim" {
  name                           = "apim"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.apim.id
  host_name                      = "${azurerm_api_management.main.name}.azure-api.net"
  certificate_name_check_enabled = true
  enabled                        = true
}

# --- Azure OpenAI ---------------------------------------------------------

resource "azurerm_cognitive_account" "openai" {
  name                  = "aoai-gateway"
  location              = azurerm_resource_group.main.location
  resource_group_name   = azurerm_resource_group.main.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "aoai-gateway"
}

# No rai_policy_name: the default content filter, which delivers the
# stream in chunks.
resource "azurerm_cognitive_deployment" "gpt" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.openai.id

  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-11-20"
  }

  sku {
    name = "GlobalStandard"
  }
}
