# A chat API as it often stands: a legacy policy that buffers, a
# diagnostic that logs bodies, an App Gateway with response buffering on
# its default. sseready init --from-plan reads its plan.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "chat" {
  name     = "rg-chat"
  location = "westeurope"
}

resource "azurerm_api_management" "chat" {
  name                = "apim-chat"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "Premium_1"
}

# The version set exists already: its ID comes in as a variable.
variable "chat_version_set_id" {
  type    = string
  default = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-chat/providers/Microsoft.ApiManagement/service/apim-chat/apiVersionSets/chat"
}

resource "azurerm_api_management_api" "chat" {
  name                  = "chat"
  resource_group_name   = azurerm_resource_group.chat.name
  api_management_name   = azurerm_api_management.chat.name
  revision              = "3"
  display_name          = "Chat completions"
  path                  = "openai"
  protocols             = ["https"]
  service_url           = "https://aoai-chat.openai.azure.com/openai"
  subscription_required = false
  version               = "2024-10-21"
  version_set_id        = var.chat_version_set_id

  subscription_key_parameter_names {
    header = "api-key"
    query  = "api-key"
  }
}

resource "azurerm_api_management_api_operation" "completions" {
  operation_id        = "completions"
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.chat.name
  resource_group_name = azurerm_resource_group.chat.name
  display_name        = "Completions"
  method              = "POST"
  url_template        = "/deployments/gpt-4o/chat/completions"
}

resource "azurerm_api_management_api_operation" "responses" {
  operation_id        = "responses"
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.chat.name
  resource_group_name = azurerm_resource_group.chat.name
  display_name        = "Responses"
  method              = "POST"
  url_template        = "/responses"
}

resource "azurerm_api_management_api_policy" "chat" {
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.chat.name
  resource_group_name = azurerm_resource_group.chat.name
  xml_content         = <<-XML
    <policies>
        <inbound>
            <base />
        </inbound>
        <backend>
            <forward-request timeout="120" />
        </backend>
        <outbound>
            <base />
        </outbound>
        <on-error>
            <base />
        </on-error>
    </policies>
  XML
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

resource "azurerm_api_management_api_diagnostic" "chat" {
  identifier               = "applicationinsights"
  api_name                 = azurerm_api_management_api.chat.name
  api_management_name      = azurerm_api_management.chat.name
  resource_group_name      = azurerm_resource_group.chat.name
  api_management_logger_id = azurerm_api_management_logger.chat.id

  frontend_response {
    body_bytes = 8192
  }
}

resource "azurerm_virtual_network" "chat" {
  name                = "vnet-chat"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  address_space       = ["10.20.0.0/16"]
}

resource "azurerm_subnet" "appgw" {
  name                 = "snet-appgw"
  resource_group_name  = azurerm_resource_group.chat.name
  virtual_network_name = azurerm_virtual_network.chat.name
  address_prefixes     = ["10.20.1.0/24"]
}

resource "azurerm_public_ip" "appgw" {
  name                = "pip-appgw"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

# No global block: the gateway buffers responses, its default.
resource "azurerm_application_gateway" "chat" {
  name                = "agw-chat"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name

  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }

  gateway_ip_configuration {
    name      = "gateway"
    subnet_id = azurerm_subnet.appgw.id
  }

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.appgw.id
  }

  frontend_port {
    name = "http"
    port = 80
  }

  backend_address_pool {
    name  = "apim"
    fqdns = [trimprefix(azurerm_api_management.chat.gateway_url, "https://")]
  }

  backend_http_settings {
    name                                = "apim"
    cookie_based_affinity               = "Disabled"
    port                                = 443
    protocol                            = "Https"
    request_timeout                     = 30
    pick_host_name_from_backend_address = true
  }

  http_listener {
    name                           = "http"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  request_routing_rule {
    name                       = "chat"
    priority                   = 100
    rule_type                  = "Basic"
    http_listener_name         = "http"
    backend_address_pool_name  = "apim"
    backend_http_settings_name = "apim"
  }
}
