# Check a policy kept as a file (APIOps) before it is applied.
data "sseready_apim_policy_check" "orders" {
  xml   = file("${path.module}/orders-policy.xml")
  scope = "api"
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

# Stop an apply whose policy would break streaming. In a real configuration
# the postcondition sits on azurerm_api_management_api_policy; here
# terraform_data stands in for it.
resource "terraform_data" "orders_policy" {
  input = data.sseready_apim_policy_check.orders.fixed_xml

  lifecycle {
    postcondition {
      condition = alltrue([
        for f in data.sseready_apim_policy_check.orders.findings : f.severity != "error" || f.rule == "SSE101"
      ])
      error_message = "The orders policy breaks SSE beyond what fixed_xml repairs."
    }
  }
}
