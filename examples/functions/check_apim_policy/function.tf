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

# The options object: the fragments the policy includes (here the one that
# forwards the request) and the findings you accept, with your reason.
output "with_fragments" {
  value = provider::sseready::check_apim_policy(
    "<policies><backend><include-fragment fragment-id=\"forward\" /></backend></policies>",
    {
      scope          = "api"
      fragments      = { forward = "<fragment><forward-request timeout=\"120\" buffer-response=\"false\" /></fragment>" }
      accepted_rules = ["SSE140: token counts are estimates, and that is fine"]
    },
  ).ready
}
