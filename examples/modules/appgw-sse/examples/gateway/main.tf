# An Application Gateway in front of API Management that streams: the
# module's values go into the gateway you own through dynamic blocks.
# Copy it, then point source at your copy of the module.
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

variable "apim_gateway_host" {
  description = "The API Management gateway's host name."
  type        = string
  default     = "apim-chat-example.azure-api.net"
}

module "sse" {
  source = "../.."

  sku_name           = "Standard_v2"
  max_event_gap      = "10m"
  heartbeat_interval = "20s"
  backend_http_settings = {
    apim = { port = 443, protocol = "Https", pick_host_name_from_backend_address = true }
  }
}

resource "azurerm_resource_group" "chat" {
  name     = "rg-chat-gateway"
  location = "westeurope"
}

resource "azurerm_virtual_network" "chat" {
  name                = "vnet-chat"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  address_space       = ["10.30.0.0/16"]
}

resource "azurerm_subnet" "appgw" {
  name                 = "snet-appgw"
  resource_group_name  = azurerm_resource_group.chat.name
  virtual_network_name = azurerm_virtual_network.chat.name
  address_prefixes     = ["10.30.1.0/24"]
}

resource "azurerm_public_ip" "appgw" {
  name                = "pip-appgw"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_application_gateway" "chat" {
  name                = "agw-chat"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name

  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }

  # Response buffering off: the gateway relays each event as it comes.
  dynamic "global" {
    for_each = [module.sse.global]
    content {
      request_buffering_enabled  = global.value.request_buffering_enabled
      response_buffering_enabled = global.value.response_buffering_enabled
    }
  }

  # Each streaming backend with a request timeout that outlasts the
  # stream's silences.
  dynamic "backend_http_settings" {
    for_each = module.sse.backend_http_settings
    content {
      name                                = backend_http_settings.value.name
      port                                = backend_http_settings.value.port
      protocol                            = backend_http_settings.value.protocol
      cookie_based_affinity               = backend_http_settings.value.cookie_based_affinity
      pick_host_name_from_backend_address = backend_http_settings.value.pick_host_name_from_backend_address
      host_name                           = backend_http_settings.value.host_name
      path                                = backend_http_settings.value.path
      probe_name                          = backend_http_settings.value.probe_name
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
    fqdns = [var.apim_gateway_host]
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

output "request_timeout" {
  value = module.sse.request_timeout
}
