# check_apim_policy returns { ready, findings }, the same as the
# sseready_apim_policy_check data source, and works anywhere an expression
# does: variable validation, preconditions, outputs.
variable "api_policy_xml" {
  type    = string
  default = <<-XML
    <policies>
      <inbound><base /></inbound>
      <backend><forward-request timeout="120" buffer-response="false" /></backend>
      <outbound><base /></outbound>
      <on-error><base /></on-error>
    </policies>
  XML

  validation {
    condition     = provider::sseready::check_apim_policy(var.api_policy_xml).ready
    error_message = "The API policy would break Server-Sent Events; run `sseready lint` on it for details."
  }
}

# An operation-level policy whose <backend> inherits the API's: at
# operation scope that is a warning to check the API policy, not an error.
output "operation_check" {
  value = provider::sseready::check_apim_policy(
    "<policies><backend><base /></backend></policies>",
    "operation",
  )
}
