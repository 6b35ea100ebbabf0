# Prove, inside terraform plan or terraform test, that the settings you
# deploy stream: the App Gateway and API Management settings sseready
# renders, run on loopback with a backend that falls silent for five
# minutes between answers and sends a heartbeat every 20 seconds. No Azure
# account, no credentials, no network.
data "sseready_apim_policy" "chat" {
  timeout = 120
}

data "sseready_appgw_settings" "chat" {
  sku_name           = "Standard_v2"
  max_event_gap      = "5m"
  heartbeat_interval = "20s"
}

data "sseready_emulated_stream" "chat" {
  app_gateway = {
    sku_name        = "Standard_v2"
    global          = { request_buffering_enabled = false, response_buffering_enabled = data.sseready_appgw_settings.chat.response_buffering_enabled }
    request_timeout = data.sseready_appgw_settings.chat.request_timeout
  }
  apim = {
    sku_name = "StandardV2_1"
    policies = [{ scope = "api", xml = data.sseready_apim_policy.chat.xml }]
  }
  backend = { max_event_gap = "5m", heartbeat_interval = "20s" }

  # The request a chat client sends: API Management runs its policy for it,
  # so a <choose> on the stream flag takes the streaming branch.
  body = jsonencode({ stream = true, messages = [{ role = "user", content = "Hello" }] })

  # Azure's clocks run 60 times faster: events a second apart, the
  # five-minute silence 5 seconds, and a heartbeat's 7 seconds to spare
  # under App Gateway's timeout still 117 ms on loopback (at 600 times,
  # 12 ms, and at 120 times 58 ms: a busy machine can take that long to
  # schedule a relay, and the timeout then cuts a stream Azure would not).
  event_interval = "60s"
  time_scale     = 60
}

output "outcome" {
  value = data.sseready_emulated_stream.chat.outcome # "streamed"
}

output "hops" {
  value = [for h in data.sseready_emulated_stream.chat.hops : "${h.name}: ${h.effect}, ${h.outcome}"]
}

# Latencies differ from run to run; assert on a bound, as a test does.
output "every_event_within_a_second" {
  value = alltrue([for e in data.sseready_emulated_stream.chat.events : e.latency_ms < 1000])
}
