# Check a policy kept as a file (APIOps) before it is applied, with the
# fragments it includes.
data "sseready_apim_policy_check" "orders" {
  xml   = file("${path.module}/orders-policy.xml")
  scope = "api"
  fragments = {
    # fragment-id = the fragment's document (azurerm_api_management_policy_fragment.value)
    orders-auth = "<fragment><check-header name=\"x-tenant\" failed-check-httpcode=\"401\" failed-check-error-message=\"no tenant\" /></fragment>"
  }
  # A known finding, accepted with the reason: still listed, no longer an error.
  accepted_rules = ["SSE104: the orders backend answers headers within 300 s, and we keep the default"]
}

output "orders_ready" {
  value = data.sseready_apim_policy_check.orders.ready
}

# One line per finding, like a compiler.
output "orders_findings" {
  value = [
    for f in data.sseready_apim_policy_check.orders.findings :
    "orders-policy.xml:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}"
  ]
}

# The same document with the safe fixes applied (buffer-response="false"),
# every other byte kept.
output "orders_fixed" {
  value = data.sseready_apim_policy_check.orders.fixed_xml
}

# Stop an apply whose policy would break streaming. What is deployed is
# fixed_xml, so gate on fixed_ready, the check of that document. (A check
# block would only warn.) In a real configuration the precondition sits on
# azurerm_api_management_api_policy; here terraform_data stands in for it.
resource "terraform_data" "orders_policy" {
  input = data.sseready_apim_policy_check.orders.fixed_xml

  lifecycle {
    precondition {
      condition = data.sseready_apim_policy_check.orders.fixed_ready
      error_message = join("\n", ["The orders policy breaks SSE beyond what fixed_xml repairs:"],
      [for f in data.sseready_apim_policy_check.orders.fixed_findings : "${f.rule}: ${f.message}" if f.severity == "error"])
    }
  }
}
