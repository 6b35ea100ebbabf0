# fix_apim_policy applies the safe fixes and keeps every other byte.
locals {
  legacy_policy = <<-XML
    <policies>
      <inbound><base /></inbound>
      <backend>
        <forward-request timeout="60" buffer-response="true" />
      </backend>
      <outbound><base /></outbound>
      <on-error><base /></on-error>
    </policies>
  XML
}

output "fixed_policy" {
  # buffer-response="true" becomes buffer-response="false".
  value = provider::sseready::fix_apim_policy(local.legacy_policy)
}

output "fixed_policy_ready" {
  value = provider::sseready::check_apim_policy(provider::sseready::fix_apim_policy(local.legacy_policy)).ready
}
