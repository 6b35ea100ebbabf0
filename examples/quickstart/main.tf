# Quickstart: render an SSE-ready API Management policy for a chat API,
# and check a policy someone already wrote, which breaks streaming.
# chain.tf does the same for the whole path: every hop's settings, and
# the check of a good and a broken chain.
# `make demo` applies this with a local build of the provider; no Azure
# account is needed, since sseready calls no Azure API.

terraform {
  required_version = ">= 1.8"
  required_providers {
    sseready = {
      source = "sseready/sseready"
    }
  }
}

# 1. A policy for a chat API that streams tokens with Server-Sent Events.
data "sseready_apim_policy" "chat" {
  timeout                = data.sseready_stream_profile.chat.apim_forward_request_timeout
  cache_control_no_cache = true

  inbound_xml = <<-XML
    <rate-limit-by-key calls="60" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
  XML
}

# In a real configuration the document goes to azurerm:
#
# resource "azurerm_api_management_api_policy" "chat" {
#   api_name            = azurerm_api_management_api.chat.name
#   api_management_name = azurerm_api_management.main.name
#   resource_group_name = azurerm_resource_group.main.name
#   xml_content         = data.sseready_apim_policy.chat.xml
# }

# 2. A policy that was written for a JSON API and then reused for the
# stream. It is deliberately broken: it buffers, validates and logs the
# response body, and caches the stream.
data "sseready_apim_policy_check" "legacy" {
  xml   = file("${path.module}/legacy-policy.xml")
  scope = "api"
}

output "chat_policy_xml" {
  description = "The SSE-ready policy, for xml_content."
  value       = data.sseready_apim_policy.chat.xml
}

output "chat_policy_ready" {
  value = provider::sseready::check_apim_policy(data.sseready_apim_policy.chat.xml).ready
}

output "legacy_policy_ready" {
  value = data.sseready_apim_policy_check.legacy.ready
}

output "legacy_policy_findings" {
  description = "What breaks the stream, one line per finding."
  value = [
    for f in data.sseready_apim_policy_check.legacy.findings :
    "legacy-policy.xml:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}"
  ]
}

output "legacy_policy_report" {
  description = "The findings as one text, for printing."
  value       = join("\n", [for f in data.sseready_apim_policy_check.legacy.findings : "legacy-policy.xml:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}"])
}

output "legacy_policy_fixed_xml" {
  description = "The legacy policy with the safe fixes applied; the rest needs a human."
  value       = data.sseready_apim_policy_check.legacy.fixed_xml
}

output "legacy_policy_fixed_ready" {
  value = data.sseready_apim_policy_check.legacy.fixed_ready
}

output "legacy_policy_fixed_error_count" {
  description = "How many errors the safe fixes leave: each needs a human."
  value       = length([for f in data.sseready_apim_policy_check.legacy.fixed_findings : f if f.severity == "error"])
}

output "legacy_policy_fixed_report" {
  description = "The errors the safe fixes leave, as one text."
  value       = join("\n", [for f in data.sseready_apim_policy_check.legacy.fixed_findings : "legacy-policy.xml (fixed):${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}" if f.severity == "error"])
}
