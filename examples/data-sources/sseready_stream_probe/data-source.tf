# Continuous validation: every plan reads the deployed stream, and the
# check block warns when it no longer streams (a policy changed in the
# portal, a gateway setting reset), naming what happened and the rules.
check "chat_streams" {
  data "sseready_stream_probe" "chat" {
    url  = "https://apim-chat.azure-api.net/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
    body = jsonencode({ stream = true, messages = [{ role = "user", content = "Count from 1 to 20." }] })

    # The provider reads the key from its environment when it probes:
    # export AZURE_OPENAI_KEY where terraform plan runs. Only the
    # variable's name is in the configuration, the plan and the state.
    headers_from_env = { "api-key" = "AZURE_OPENAI_KEY" }
    # An API that takes API Management's subscription key in the query
    # gets it the same way, after the URL's own query:
    #   query_from_env = { "subscription-key" = "APIM_SUBSCRIPTION_KEY" }

    duration        = "20s"
    max_first_event = "5s"
    min_events      = 3
  }

  assert {
    condition     = data.sseready_stream_probe.chat.ok
    error_message = "The chat stream ${data.sseready_stream_probe.chat.outcome}: ${join("; ", data.sseready_stream_probe.chat.problems)}"
  }
}
