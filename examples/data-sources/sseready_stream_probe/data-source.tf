# Continuous validation: every plan reads the deployed stream, and the
# check block warns when it no longer streams (a policy changed in the
# portal, a gateway setting reset), naming what happened and the rules.
check "chat_streams" {
  data "sseready_stream_probe" "chat" {
    url             = "https://apim-chat.azure-api.net/chat/stream"
    duration        = "20s"
    max_first_event = "5s"
    min_events      = 3
  }

  assert {
    condition     = data.sseready_stream_probe.chat.ok
    error_message = "The chat stream ${data.sseready_stream_probe.chat.outcome}: ${join("; ", data.sseready_stream_probe.chat.problems)}"
  }
}
