# The whole path of an SSE chat API in azurerm, every hop set by sseready:
# Front Door, Application Gateway, API Management (policy and diagnostic),
# the load balancer rule in front of the backend and Azure OpenAI's
# content filter. Copy it and change the names; `sseready check-plan` on
# its plan finds nothing to fix (internal/tfplan's TestAzurermExample
# plans it with the azurerm stand-in and checks that).

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

variable "location" {
  type    = string
  default = "westeurope"
}

# --- What sseready sets ---------------------------------------------------

# The chat backend may stay silent for ten minutes between answers and
# sends a comment heartbeat every 20 seconds.
data "sseready_stream_profile" "chat" {
  max_event_gap       = "10m"
  heartbeat_interval  = "20s"
  max_time_to_headers = "30s"
  hops                = ["front_door", "app_gateway", "apim", "load_balancer"]
}

data "sseready_apim_policy" "chat" {
  timeout                = data.sseready_stream_profile.chat.apim_forward_request_timeout
  cache_control_no_cache = true
  inbound_xml            = <<-XML
    <rate-limit-by-key calls="60" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
  XML
}

data "sseready_appgw_settings" "chat" {
  sku_name            = "Standard_v2"
  max_event_gap       = "10m"
  heartbeat_interval  = "20s"
  max_time_to_headers = "30s"
}

data "sseready_apim_diagnostic" "chat" {
  identifier          = "applicationinsights"
  sampling_percentage = 25
  headers_to_log      = { frontend_request = ["X-Request-Id"] }
}

# --- API Management -------------------------------------------------------

resource "azurerm_resource_group" "chat" {
  name     = "rg-chat"
  location = var.location
}

resource "azurerm_api_management" "chat" {
  name                = "apim-chat-example"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  # The Consumption tier does not keep long-running connections.
  sku_name = "StandardV2_1"
}

resource "azurerm_api_management_api" "chat" {
  name                  = "chat"
  resource_group_name   = azurerm_resource_group.chat.name
  api_management_name   = azurerm_api_management.chat.name
  revision              = "1"
  display_name          = "Chat completions"
  path                  = "chat"
  protocols             = ["https"]
  service_url           = "https://${azurerm_cognitive_account.openai.custom_subdomain_name}.openai.azure.com/openai"
  subscription_required = true
}

resource "azurerm_api_management_api_policy" "chat" {
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.chat.name
  resource_group_name = azurerm_resource_group.chat.name
  xml_content         = data.sseready_apim_policy.chat.xml
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

# Bodies are never logged: body logging holds the stream.
resource "azurerm_api_management_api_diagnostic" "chat" {
  identifier               = data.sseready_apim_diagnostic.chat.identifier
  api_name                 = azurerm_api_management_api.chat.name
  api_management_name      = azurerm_api_management.chat.name
  resource_group_name      = azurerm_resource_group.chat.name
  api_management_logger_id = azurerm_api_management_logger.chat.id
  sampling_percentage      = data.sseready_apim_diagnostic.chat.sampling_percentage
  verbosity                = data.sseready_apim_diagnostic.chat.verbosity

  frontend_request {
    body_bytes     = data.sseready_apim_diagnostic.chat.frontend_request.body_bytes
    headers_to_log = data.sseready_apim_diagnostic.chat.frontend_request.headers_to_log
  }
  frontend_response {
    body_bytes = data.sseready_apim_diagnostic.chat.frontend_response.body_bytes
  }
  backend_request {
    body_bytes = data.sseready_apim_diagnostic.chat.backend_request.body_bytes
  }
  backend_response {
    body_bytes = data.sseready_apim_diagnostic.chat.backend_response.body_bytes
  }
}

# --- Application Gateway --------------------------------------------------

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

resource "azurerm_subnet" "backend" {
  name                 = "snet-backend"
  resource_group_name  = azurerm_resource_group.chat.name
  virtual_network_name = azurerm_virtual_network.chat.name
  address_prefixes     = ["10.20.2.0/24"]
}

resource "azurerm_public_ip" "appgw" {
  name                = "pip-appgw"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  allocation_method   = "Static"
  sku                 = "Standard"
  domain_name_label   = "chat-appgw-example"
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
  global {
    request_buffering_enabled  = data.sseready_appgw_settings.chat.request_buffering_enabled
    response_buffering_enabled = data.sseready_appgw_settings.chat.response_buffering_enabled
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
    request_timeout                     = data.sseready_appgw_settings.chat.request_timeout
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

# --- Front Door -----------------------------------------------------------

resource "azurerm_cdn_frontdoor_profile" "chat" {
  name                     = "afd-chat"
  resource_group_name      = azurerm_resource_group.chat.name
  sku_name                 = "Standard_AzureFrontDoor"
  response_timeout_seconds = data.sseready_stream_profile.chat.front_door_origin_response_timeout
}

resource "azurerm_cdn_frontdoor_origin_group" "chat" {
  name                     = "chat"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.chat.id

  load_balancing {}
}

resource "azurerm_cdn_frontdoor_origin" "appgw" {
  name                           = "appgw"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.chat.id
  host_name                      = azurerm_public_ip.appgw.fqdn
  certificate_name_check_enabled = true
  enabled                        = true
}

# --- The load balancer in front of the backend ----------------------------

resource "azurerm_lb" "backend" {
  name                = "lb-chat-backend"
  location            = azurerm_resource_group.chat.location
  resource_group_name = azurerm_resource_group.chat.name
  sku                 = "Standard"

  frontend_ip_configuration {
    name      = "internal"
    subnet_id = azurerm_subnet.backend.id
  }
}

# The 20-second heartbeat keeps the default 4 minutes; a reset makes a cut
# visible to the client instead of a silent drop.
resource "azurerm_lb_rule" "backend" {
  name                           = "https"
  loadbalancer_id                = azurerm_lb.backend.id
  frontend_ip_configuration_name = "internal"
  protocol                       = "Tcp"
  frontend_port                  = 443
  backend_port                   = 443
  idle_timeout_in_minutes        = 4
  tcp_reset_enabled              = true
}

# --- Azure OpenAI ---------------------------------------------------------

resource "azurerm_cognitive_account" "openai" {
  name                  = "aoai-chat-example"
  location              = azurerm_resource_group.chat.location
  resource_group_name   = azurerm_resource_group.chat.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "aoai-chat-example"
}

# The default mode holds completions to filter them, so tokens arrive in
# chunks; Asynchronous_filter streams them as they come.
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

output "heartbeat_at_most_every" {
  description = "The backend's heartbeat must come at least this often."
  value       = data.sseready_stream_profile.chat.required_heartbeat_interval
}
