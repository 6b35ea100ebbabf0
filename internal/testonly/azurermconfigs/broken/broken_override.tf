# The chat API of ../good as it often ends up: the Consumption tier, a
# global forward-request that buffers (and an API policy inheriting it), a
# cached fragment, body logging in the API's diagnostic and a global one
# nothing overrides, App Gateway buffering responses behind a WAF with a
# 20-second backend setting, Front Door's shortest timeout, the content
# filter's default mode. Each is a finding on its resource attribute.
#
# Only what differs from good is here: the tests lay this directory over
# good's files, themselves laid over ../shared (azurermconfigs.Options),
# and Terraform merges this override file into their blocks (an attribute
# here replaces theirs; a nested block here replaces every block of its
# type in theirs). The policies beside it replace those of the same name
# below it (global.xml is shared's).

resource "azurerm_api_management" "main" {
  sku_name = "Consumption_0"
}

# Logs request bodies for every API, and no API diagnostic of the same
# identifier overrides it.
resource "azurerm_api_management_diagnostic" "global" {
  identifier = "azuremonitor"
}

resource "azurerm_api_management_api_diagnostic" "chat" {
  frontend_response {
    body_bytes = 8192
  }
  # backend_response left out: whatever APIM logs there stays.
  dynamic "backend_response" {
    for_each = []
    content {}
  }
}

resource "azurerm_application_gateway" "main" {
  sku {
    name     = "WAF_v2"
    tier     = "WAF_v2"
    capacity = 2
  }

  global {
    request_buffering_enabled  = false
    response_buffering_enabled = true
  }

  waf_configuration {
    enabled            = true
    firewall_mode      = "Prevention"
    rule_set_version   = "3.2"
    request_body_check = true
  }

  frontend_port {
    name = "http"
    port = 80
  }

  frontend_port {
    name = "http-legacy"
    port = 8080
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
    name                                = "chat-legacy"
    cookie_based_affinity               = "Disabled"
    port                                = 443
    protocol                            = "Https"
    request_timeout                     = 20
    pick_host_name_from_backend_address = true
  }

  http_listener {
    name                           = "http"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  http_listener {
    name                           = "http-legacy"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http-legacy"
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
    name                       = "chat-legacy"
    priority                   = 200
    rule_type                  = "Basic"
    http_listener_name         = "http-legacy"
    backend_address_pool_name  = "apim"
    backend_http_settings_name = "chat-legacy"
  }
}

resource "azurerm_lb_rule" "https" {
  idle_timeout_in_minutes = 4
  tcp_reset_enabled       = false
}

resource "azurerm_cdn_frontdoor_profile" "main" {
  response_timeout_seconds = 16
}

resource "azurerm_cognitive_account_rai_policy" "streaming" {
  mode = "Default"
}
