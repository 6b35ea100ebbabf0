# A realistic SSE chain in azurerm, for the stand-in's tests: Front Door,
# Application Gateway, a load balancer, API Management with policies at
# every scope and diagnostics, and Azure OpenAI with a content filter.
# Planned by the real terraform against the azurerm stand-in.
#
# Laid over ../shared (azurermconfigs.Options), which holds what this and
# ../good both declare: the instance, its global policy, product and chat
# API, the logger, the network, Front Door's profile and Azure OpenAI.

data "azurerm_client_config" "current" {}

# --- API Management -------------------------------------------------------

resource "azurerm_api_management_policy_fragment" "chat_auth" {
  api_management_id = azurerm_api_management.main.id
  name              = "chat-auth"
  format            = "rawxml"
  value             = file("${path.module}/policies/chat-auth-fragment.xml")
}

resource "azurerm_api_management_product_policy" "chat" {
  product_id          = azurerm_api_management_product.chat.product_id
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = <<-XML
    <policies>
        <inbound>
            <base />
            <quota-by-key calls="10000" renewal-period="86400" counter-key="@(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key", "none"))" />
        </inbound>
        <backend>
            <base />
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

resource "azurerm_api_management_api_policy" "chat" {
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = file("${path.module}/policies/chat-api.xml")

  depends_on = [azurerm_api_management_policy_fragment.chat_auth]
}

resource "azurerm_api_management_api_operation" "completions" {
  operation_id        = "chat-completions"
  api_name            = azurerm_api_management_api.chat.name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Create a chat completion"
  method              = "POST"
  url_template        = "/deployments/{deployment-id}/chat/completions"

  template_parameter {
    name     = "deployment-id"
    type     = "string"
    required = true
  }

  response {
    status_code = 200
    representation {
      content_type = "text/event-stream"
    }
  }
}

resource "azurerm_api_management_api_operation_policy" "completions" {
  api_name            = azurerm_api_management_api_operation.completions.api_name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  operation_id        = azurerm_api_management_api_operation.completions.operation_id
  xml_content         = <<-XML
    <policies>
        <inbound>
            <base />
            <llm-token-limit counter-key="@(context.Subscription.Id)" tokens-per-minute="50000" estimate-prompt-tokens="true" />
            <set-header name="Accept" exists-action="override">
                <value>@(context.Request.Headers.GetValueOrDefault("Accept", "text/event-stream"))</value>
            </set-header>
        </inbound>
        <backend>
            <base />
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

resource "azurerm_api_management_diagnostic" "global" {
  identifier               = "applicationinsights"
  api_management_name      = azurerm_api_management.main.name
  resource_group_name      = azurerm_resource_group.main.name
  api_management_logger_id = azurerm_api_management_logger.main.id
  sampling_percentage      = 100
  always_log_errors        = true
  verbosity                = "information"

  frontend_request {
    body_bytes     = 0
    headers_to_log = ["content-type"]
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

resource "azurerm_api_management_api_diagnostic" "chat" {
  identifier                = "applicationinsights"
  api_name                  = azurerm_api_management_api.chat.name
  api_management_name       = azurerm_api_management.main.name
  resource_group_name       = azurerm_resource_group.main.name
  api_management_logger_id  = azurerm_api_management_logger.main.id
  sampling_percentage       = 25
  always_log_errors         = true
  log_client_ip             = false
  verbosity                 = "verbose"
  http_correlation_protocol = "W3C"

  frontend_request {
    body_bytes = 1024
  }
  frontend_response {
    body_bytes     = 8192
    headers_to_log = ["content-type", "x-ms-region"]
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
    name = "https"
    port = 443
  }

  backend_address_pool {
    name  = "apim"
    fqdns = ["apim-chat.azure-api.net"]
  }

  backend_http_settings {
    name                                = "chat"
    cookie_based_affinity               = "Disabled"
    port                                = 443
    protocol                            = "Https"
    request_timeout                     = 180
    pick_host_name_from_backend_address = true
  }

  # No request_timeout: azurerm plans its default, 30 seconds.
  backend_http_settings {
    name                  = "health"
    cookie_based_affinity = "Disabled"
    port                  = 443
    protocol              = "Https"
  }

  http_listener {
    name                           = "https"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "https"
    protocol                       = "Https"
    ssl_certificate_name           = "chat"
  }

  ssl_certificate {
    name                = "chat"
    key_vault_secret_id = "https://kv-chat.vault.azure.net/secrets/chat-tls"
  }

  request_routing_rule {
    name                       = "chat"
    priority                   = 100
    rule_type                  = "Basic"
    http_listener_name         = "https"
    backend_address_pool_name  = "apim"
    backend_http_settings_name = "chat"
  }
}

# --- Load Balancer --------------------------------------------------------

resource "azurerm_public_ip" "lb" {
  name                = "pip-lb"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_lb" "main" {
  name                = "lb-chat"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "Standard"

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}

resource "azurerm_lb_backend_address_pool" "main" {
  name            = "chat"
  loadbalancer_id = azurerm_lb.main.id
}

resource "azurerm_lb_probe" "https" {
  name            = "https"
  loadbalancer_id = azurerm_lb.main.id
  port            = 443
}

resource "azurerm_lb_rule" "https" {
  name                           = "https"
  loadbalancer_id                = azurerm_lb.main.id
  frontend_ip_configuration_name = "public"
  protocol                       = "Tcp"
  frontend_port                  = 443
  backend_port                   = 443
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.main.id]
  probe_id                       = azurerm_lb_probe.https.id
  idle_timeout_in_minutes        = 30
  tcp_reset_enabled              = true
}

# --- Front Door -----------------------------------------------------------

resource "azurerm_cdn_frontdoor_origin_group" "chat" {
  name                     = "chat"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.main.id

  load_balancing {
    sample_size                 = 4
    successful_samples_required = 3
  }
}
