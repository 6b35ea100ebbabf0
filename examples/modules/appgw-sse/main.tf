# What a stream needs from an Application Gateway, as values for the
# azurerm_application_gateway you already own: response buffering off in
# the global block, and a request timeout that outlasts the stream's
# silences. The chain check stops the plan when they would break it.

data "sseready_appgw_settings" "this" {
  sku_name            = var.sku_name
  max_event_gap       = var.max_event_gap
  heartbeat_interval  = var.heartbeat_interval
  max_time_to_headers = var.max_time_to_headers
  waf_body_inspection = var.waf_body_inspection
  request_buffering   = var.request_buffering
}

locals {
  request_timeout = coalesce(var.request_timeout, data.sseready_appgw_settings.this.request_timeout)
  global = {
    request_buffering_enabled  = data.sseready_appgw_settings.this.request_buffering_enabled
    response_buffering_enabled = data.sseready_appgw_settings.this.response_buffering_enabled
  }
  chain_app_gateway = {
    sku_name               = var.sku_name
    global                 = local.global
    request_timeout        = local.request_timeout
    waf_request_body_check = var.waf_body_inspection
  }
  backend = {
    max_event_gap       = var.max_event_gap
    heartbeat_interval  = var.heartbeat_interval
    max_time_to_headers = var.max_time_to_headers
  }
  chain_errors = [for f in data.sseready_chain_check.this.findings : "${f.rule} (${f.element}): ${f.message}" if f.severity == "error"]
}

# The values as they will be deployed, checked along with the backend's
# timing: your own request_timeout included.
data "sseready_chain_check" "this" {
  app_gateway = local.chain_app_gateway
  backend     = local.backend
}
