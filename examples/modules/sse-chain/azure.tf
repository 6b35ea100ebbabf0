resource "azurerm_resource_group" "chat" {
  name     = "rg-${var.prefix}"
  location = var.location
}

resource "azurerm_api_management" "chat" {
  name                = "apim-${var.prefix}-sse"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  # The Consumption tier does not keep long-running connections: the
  # apim-sse-api module stops the apply on it.
  sku_name = "StandardV2_1"
}

resource "azurerm_application_insights" "chat" {
  name                = "appi-${var.prefix}"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  application_type    = "web"
}

resource "azurerm_api_management_logger" "chat" {
  name                = "appi-${var.prefix}"
  api_management_name = azurerm_api_management.chat.name
  resource_group_name = azurerm_resource_group.chat.name
  resource_id         = azurerm_application_insights.chat.id

  application_insights {
    connection_string = azurerm_application_insights.chat.connection_string
  }
}

resource "azurerm_virtual_network" "chat" {
  name                = "vnet-${var.prefix}"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  address_space       = ["10.40.0.0/16"]
}

resource "azurerm_subnet" "appgw" {
  name                 = "snet-appgw"
  resource_group_name  = azurerm_resource_group.chat.name
  virtual_network_name = azurerm_virtual_network.chat.name
  address_prefixes     = ["10.40.1.0/24"]
}

resource "azurerm_public_ip" "appgw" {
  name                = "pip-${var.prefix}-appgw"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_application_gateway" "chat" {
  name                = "agw-${var.prefix}"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name

  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }

  dynamic "global" {
    for_each = [module.gateway.global]
    content {
      request_buffering_enabled  = global.value.request_buffering_enabled
      response_buffering_enabled = global.value.response_buffering_enabled
    }
  }

  dynamic "backend_http_settings" {
    for_each = module.gateway.backend_http_settings
    content {
      name                                = backend_http_settings.value.name
      port                                = backend_http_settings.value.port
      protocol                            = backend_http_settings.value.protocol
      cookie_based_affinity               = backend_http_settings.value.cookie_based_affinity
      pick_host_name_from_backend_address = backend_http_settings.value.pick_host_name_from_backend_address
      request_timeout                     = backend_http_settings.value.request_timeout
    }
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
