# An SSE API on an existing API Management instance: the API, its
# operations, a policy that streams (rendered and checked by sseready) and
# diagnostics that never log bodies. The apply stops before the policy is
# written when the instance's tier or the policy cannot stream.

data "sseready_apim_policy" "this" {
  count = var.policy_xml == null ? 1 : 0

  timeout                = var.forward_request_timeout
  inbound_xml            = var.inbound_xml
  outbound_xml           = var.outbound_xml
  on_error_xml           = var.on_error_xml
  backend_id             = var.backend_id
  fragments              = var.fragments
  accepted_rules         = var.accepted_rules
  cache_control_no_cache = true
}

locals {
  policy_xml = var.policy_xml != null ? var.policy_xml : data.sseready_apim_policy.this[0].xml
  policy_check = provider::sseready::check_apim_policy(local.policy_xml, {
    scope          = "api"
    fragments      = var.fragments
    accepted_rules = var.accepted_rules
  })
  policy_errors = [for f in local.policy_check.findings : "${f.rule} at line ${f.line}, column ${f.column}: ${f.message}" if f.severity == "error"]
}

resource "azurerm_api_management_api" "this" {
  name                  = var.name
  resource_group_name   = var.api_management.resource_group_name
  api_management_name   = var.api_management.name
  revision              = var.revision
  display_name          = coalesce(var.display_name, var.name)
  path                  = var.path
  protocols             = var.protocols
  service_url           = var.service_url
  subscription_required = var.subscription_required
  version               = var.api_version
  version_set_id        = var.version_set_id

  dynamic "subscription_key_parameter_names" {
    for_each = var.subscription_key_parameter_names == null ? [] : [var.subscription_key_parameter_names]
    content {
      header = subscription_key_parameter_names.value.header
      query  = subscription_key_parameter_names.value.query
    }
  }

  lifecycle {
    precondition {
      condition     = var.api_version == null || var.version_set_id != null
      error_message = "api_version ${coalesce(var.api_version, "null")} needs version_set_id, the version set it belongs to (azurerm refuses a version without it)."
    }
  }
}

locals {
  # The API as its operations, policy and diagnostics name it: revision 1
  # by the API's name (its current revision, as azurerm's examples write
  # it), another revision as name;rev=N.
  api_name = var.revision == "1" ? azurerm_api_management_api.this.name : "${azurerm_api_management_api.this.name};rev=${var.revision}"
}

resource "azurerm_api_management_api_operation" "this" {
  for_each = var.operations

  operation_id        = each.key
  api_name            = local.api_name
  api_management_name = var.api_management.name
  resource_group_name = var.api_management.resource_group_name
  display_name        = each.value.display_name
  method              = each.value.method
  url_template        = each.value.url_template
  description         = each.value.description

  dynamic "template_parameter" {
    for_each = regexall("{([^}]+)}", each.value.url_template)
    content {
      name     = template_parameter.value[0]
      required = true
      type     = "string"
    }
  }
}

resource "azurerm_api_management_api_policy" "this" {
  api_name            = local.api_name
  api_management_name = var.api_management.name
  resource_group_name = var.api_management.resource_group_name
  xml_content         = local.policy_xml

  lifecycle {
    precondition {
      condition     = provider::sseready::apim_sku_supports_sse(var.api_management.sku_name)
      error_message = "API Management ${var.api_management.name} is on ${var.api_management.sku_name}, which does not keep long-running connections (rule SSE201): streams through it are refused or cut. Move the API to a Developer, Basic, Standard, Premium or v2 instance."
    }
    precondition {
      condition     = local.policy_check.ready
      error_message = "The policy of API ${var.name} cannot stream:\n${join("\n", local.policy_errors)}\nFix it (sseready's fix_apim_policy does what is safe), or accept a rule in accepted_rules with your reason."
    }
  }
}

data "sseready_apim_diagnostic" "this" {
  for_each = var.loggers

  identifier          = each.value.identifier
  sampling_percentage = each.value.sampling_percentage
  verbosity           = each.value.verbosity
  headers_to_log      = each.value.headers_to_log
}

# Every block is written with body_bytes = 0: azurerm keeps body logging
# already set on the diagnostic when a block is left out.
resource "azurerm_api_management_api_diagnostic" "this" {
  for_each = var.loggers

  identifier               = data.sseready_apim_diagnostic.this[each.key].identifier
  api_name                 = local.api_name
  api_management_name      = var.api_management.name
  resource_group_name      = var.api_management.resource_group_name
  api_management_logger_id = each.value.logger_id
  sampling_percentage      = data.sseready_apim_diagnostic.this[each.key].sampling_percentage
  verbosity                = data.sseready_apim_diagnostic.this[each.key].verbosity

  frontend_request {
    body_bytes     = data.sseready_apim_diagnostic.this[each.key].frontend_request.body_bytes
    headers_to_log = data.sseready_apim_diagnostic.this[each.key].frontend_request.headers_to_log
  }
  frontend_response {
    body_bytes     = data.sseready_apim_diagnostic.this[each.key].frontend_response.body_bytes
    headers_to_log = data.sseready_apim_diagnostic.this[each.key].frontend_response.headers_to_log
  }
  backend_request {
    body_bytes     = data.sseready_apim_diagnostic.this[each.key].backend_request.body_bytes
    headers_to_log = data.sseready_apim_diagnostic.this[each.key].backend_request.headers_to_log
  }
  backend_response {
    body_bytes     = data.sseready_apim_diagnostic.this[each.key].backend_response.body_bytes
    headers_to_log = data.sseready_apim_diagnostic.this[each.key].backend_response.headers_to_log
  }
}
