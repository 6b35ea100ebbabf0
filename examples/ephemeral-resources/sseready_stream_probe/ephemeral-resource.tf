# Terraform 1.10+: the ephemeral resource reads the deployed stream on each
# plan and apply and stores nothing, not even its results, so its headers
# may take ephemeral values: here an API Management subscription key from an
# ephemeral variable (TF_VAR_apim_subscription_key), or one from Key Vault:
#   headers = { "Ocp-Apim-Subscription-Key" = ephemeral.azurerm_key_vault_secret.apim_key.value }
variable "apim_subscription_key" {
  type      = string
  ephemeral = true
  sensitive = true
}

ephemeral "sseready_stream_probe" "chat" {
  url     = "https://apim-chat.azure-api.net/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
  body    = jsonencode({ stream = true, messages = [{ role = "user", content = "Count from 1 to 20." }] })
  headers = { "Ocp-Apim-Subscription-Key" = var.apim_subscription_key }

  duration        = "20s"
  max_first_event = "5s"
  min_events      = 3
}

# A warning on every plan when the path no longer streams; the provider's
# warning above it says why (Terraform prints no message made of ephemeral
# values).
check "chat_streams" {
  assert {
    condition     = ephemeral.sseready_stream_probe.chat.ok
    error_message = "The chat completions stream does not stream: see the warning \"The stream did not pass\"."
  }
}

# A stop before what needs the stream: a precondition here, rather than a
# postcondition on the ephemeral resource, which makes terraform show -json
# of the plan crash in Terraform 1.11.
resource "terraform_data" "chat_release" {
  input = "v1"

  lifecycle {
    precondition {
      condition     = ephemeral.sseready_stream_probe.chat.ok
      error_message = "The chat completions stream does not stream: see the warning \"The stream did not pass\"."
    }
  }
}
