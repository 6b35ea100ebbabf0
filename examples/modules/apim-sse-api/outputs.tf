output "api_id" {
  description = "The API's resource ID."
  value       = azurerm_api_management_api.this.id
}

output "api_name" {
  description = "The API's name."
  value       = azurerm_api_management_api.this.name
}

output "operation_ids" {
  description = "The operations' resource IDs, by operation_id."
  value       = { for k, op in azurerm_api_management_api_operation.this : k => op.id }
}

output "policy_xml" {
  description = "The API policy as deployed."
  value       = azurerm_api_management_api_policy.this.xml_content
}

output "policy_findings" {
  description = "check_apim_policy's findings on the policy: warnings, accepted rules and notes (errors stop the apply)."
  value       = local.policy_check.findings
}

output "diagnostic_ids" {
  description = "The API diagnostics' resource IDs, by logger."
  value       = { for k, d in azurerm_api_management_api_diagnostic.this : k => d.id }
}

output "chain_apim" {
  description = "This API's hop as sseready_chain_check and sseready_emulated_stream take it (their apim argument): SKU, the API-scope policy, its fragments and diagnostics."
  value = {
    sku_name  = var.api_management.sku_name
    policies  = [{ scope = "api", xml = local.policy_xml }]
    fragments = var.fragments
    diagnostics = [for k, d in data.sseready_apim_diagnostic.this : {
      scope             = "api"
      identifier        = d.identifier
      frontend_request  = { body_bytes = d.frontend_request.body_bytes, headers_to_log = d.frontend_request.headers_to_log }
      frontend_response = { body_bytes = d.frontend_response.body_bytes, headers_to_log = d.frontend_response.headers_to_log }
      backend_request   = { body_bytes = d.backend_request.body_bytes, headers_to_log = d.backend_request.headers_to_log }
      backend_response  = { body_bytes = d.backend_response.body_bytes, headers_to_log = d.backend_response.headers_to_log }
    }]
  }
}
