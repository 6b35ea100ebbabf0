# An SSE chat API as it should be, in azurerm: Front Door in front of an
# Application Gateway in front of API Management, policies at every scope
# (raw XML with unescaped quotes, a fragment), diagnostics that log no
# body for the API, a load balancer rule and Azure OpenAI's content
# filter. Planned by the real terraform against the azurerm stand-in
# (internal/testonly/azurermstandin) for check-plan's tests.
#
# Laid over ../shared (azurermconfigs.Options), which holds what this and
# ../chain both declare: the instance, its global policy, product and chat
# API, the logger, the network, Front Door's profile and Azure OpenAI.

# --- API Management -------------------------------------------------------

resource "azurerm_api_management_policy_fragment" "auth" {
  api_management_id = azurerm_api_management.main.id
  name              = "chat-auth"
  format            = "rawxml"
  value             = file("${path.module}/policies/chat-auth.xml")
}

resource "azurerm_api_management_product_policy" "chat" {
  product_id          = azurerm_api_management_product.chat.product_id
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = file("${path.module}/policies/product.xml")
}

resource "azurerm_api_management_api_policy" "chat" {
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = file("${path.module}/policies/chat-api.xml")
}

resource "azurerm_api_management_api_operation" "completions" {
  operation_id        = "completions"
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Create a chat completion"
  method              = "POST"
  url_template        = "/chat/completions"
}

# The document names the logger's ID, which is not known until apply: the
# whole xml_content is unknown in the plan.
resource "azurerm_api_management_api_operation_policy" "completions" {
  api_name            = azurerm_api_management_api_operation.completions.api_name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  operation_id        = azurerm_api_management_api_operation.completions.operation_id
  xml_content = templatefile("${path.module}/policies/completions.xml.tftpl", {
    logger_id = azurerm_api_management_logger.main.id
  })
}

# No policy of its own: it runs the API's.
resource "azurerm_api_management_api_operation" "models" {
  operation_id        = "models"
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "List models"
  method              = "GET"
  url_template        = "/models"
}

# Logs request bodies for every API: the chat API overrides it below.
resource "azurerm_api_management_diagnostic" "global" {
  identifier               = "applicationinsights"
  api_management_name      = azurerm_api_management.main.name
  resource_group_name      = azurerm_resource_group.main.name
  api_management_logger_id = azurerm_api_management_logger.main.id
  sampling_percentage      = 100
  verbosity                = "information"

  frontend_request {
    body_bytes = 1024
  }
  frontend_response {
    body_bytes = 0
  }
  backend_request {
    body_bytes = 1024
  }
  backend_response {
    body_bytes = 0
  }
}

resource "azurerm_api_management_api_diagnostic" "chat" {
  identifier               = "applicationinsights"
  api_name                 = azurerm_api_management_api.chat.name
  api_management_name      = azurerm_api_management.main.name
  resource_group_name      = azurerm_resource_group.main.name
  api_management_logger_id = azurerm_api_management_logger.main.id
  sampling_percentage      = 25
  verbosity                = "information"

  frontend_request {
    body_bytes = 0
  }
  frontend_response {
    body_bytes = 0
  }
  backend_request {
    body_bytes = 0
  }
  backend_response {
    body_bytes = 0
  }
}

# --- Application Gateway --------------------------------------------------

resource "azurerm_public_ip" "appgw" {
  name                = "pip-appgw"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  allocation_method   = "Static"
  sku                 = "Standard"
  domain_name_label   = "chat-appgw"
}

resource "azurerm_application_gateway" "main" {
  name                = "agw-chat"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name

  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }

  global {
    request_buffering_enabled  = true
    response_buffering_enabled = false
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

  frontend_port {
    name = "http-slow"
    port = 8080
  }

  # gateway_url is not known until apply: linked by reference.
  backend_address_pool {
    name  = "apim"
    fqdns = [trimprefix(azurerm_api_management.main.gateway_url, "https://")]
  }

  backend_http_settings {
    name                                = "chat"
    cookie_based_affinity               = "Disabled"
    port                                = 443
    protocol                            = "Https"
    request_timeout                     = 600
    pick_host_name_from_backend_address = true
  }

  backend_http_settings {
    name                                = "chat-slow"
    cookie_based_affinity               = "Disabled"
    port                                = 443
    protocol                            = "Https"
    request_timeout                     = 300
    pick_host_name_from_backend_address = true
  }

  http_listener {
    name                           = "http"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  http_listener {
    name                           = "http-slow"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http-slow"
    protocol                       = "Http"
  }

  request_routing_rule {
    name                       = "chat"
    priority                   = 100
    rule_type                  = "Basic"
    http_listener_name         = "http"
    backend_address_pool_name  = "apim"
    backend_http_settings_name = "chat"
  }

  request_routing_rule {
    name                       = "chat-slow"
    priority                   = 200
    rule_type                  = "Basic"
    http_listener_name         = "http-slow"
    backend_address_pool_name  = "apim"
    backend_http_settings_name = "chat-slow"
  }
}

# --- Load Balancer --------------------------------------------------------

resource "azurerm_lb" "main" {
  name                = "lb-chat"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "Standard"

  frontend_ip_configuration {
    name      = "internal"
    subnet_id = azurerm_subnet.appgw.id
  }
}

resource "azurerm_lb_rule" "https" {
  name                           = "https"
  loadbalancer_id                = azurerm_lb.main.id
  frontend_ip_configuration_name = "internal"
  protocol                       = "Tcp"
  frontend_port                  = 443
  backend_port                   = 443
  idle_timeout_in_minutes        = 30
  tcp_reset_enabled              = true
}

# --- Front Door -----------------------------------------------------------

resource "azurerm_cdn_frontdoor_origin_group" "chat" {
  name                     = "chat"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.main.id

  load_balancing {}
}

# The gateway's public name is not known until apply: linked by reference.
resource "azurerm_cdn_frontdoor_origin" "appgw" {
  name                           = "appgw"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.chat.id
  host_name                      = azurerm_public_ip.appgw.fqdn
  certificate_name_check_enabled = true
  enabled                        = true
}
