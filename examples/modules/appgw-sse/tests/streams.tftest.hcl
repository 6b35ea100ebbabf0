# The module's values stream through an emulated Application Gateway; a
# request timeout shorter than the stream's silence stops the plan, the
# way rule SSE302 says, and the emulator shows the gateway cutting.
# A 10-second heartbeat against the gateway's 30-second timeout: at 60
# times faster, 167 ms against 500 ms, room for a busy runner.
variables {
  sku_name           = "Standard_v2"
  max_event_gap      = "5m"
  heartbeat_interval = "10s"
  backend_http_settings = {
    apim = { port = 443, protocol = "Https", pick_host_name_from_backend_address = true }
  }
}

run "settings" {
  # apply, not plan: OpenTofu 1.8 gives later runs the outputs of applied runs only.
  command = apply

  assert {
    condition     = output.global.response_buffering_enabled == false
    error_message = "Response buffering must be off."
  }
  assert {
    condition     = output.request_timeout >= 30 && output.backend_http_settings[0].request_timeout == output.request_timeout
    error_message = "Every streaming backend_http_settings must carry the request timeout."
  }
}

run "settings_stream" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    app_gateway = run.settings.chain_app_gateway
    backend     = run.settings.chain_backend
  }

  assert {
    condition     = output.outcome == "streamed"
    error_message = "The module's values did not stream: ${output.outcome}: ${output.message}"
  }
  assert {
    condition     = length(output.events) == 6 && alltrue([for e in output.events : e.latency_ms < 500])
    error_message = "Every event must arrive, each within 500 ms of being sent."
  }
}

# A backend silent for 5 minutes without heartbeats, behind a 60-second
# request timeout.
run "short_timeout_stops_the_plan" {
  command = plan
  variables {
    heartbeat_interval = null
    request_timeout    = 60
  }
  expect_failures = [output.global, output.request_timeout]
}

run "short_timeout_is_cut" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    app_gateway       = run.settings.chain_app_gateway
    backend           = run.settings.chain_backend
    request_timeout   = 60
    without_heartbeat = true
  }

  assert {
    condition     = output.outcome == "cut" && output.hops[0].outcome == "cut" && strcontains(output.hops[0].cut, "request timeout")
    error_message = "A 60-second request timeout must cut a 5-minute silence at the App Gateway, not ${output.outcome}."
  }
}

# Response buffering left on (the gateway's default without a global
# block) holds the stream.
run "buffering_is_held" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    app_gateway    = run.settings.chain_app_gateway
    backend        = run.settings.chain_backend
    without_global = true
  }

  assert {
    condition     = output.outcome != "streamed" && output.hops[0].effect != "stream" && output.hops[0].outcome == output.outcome
    error_message = "An App Gateway that buffers responses must not stream, but it did: ${output.outcome}."
  }
}

run "v1_sku_refused" {
  command = plan
  variables {
    sku_name = "Standard_Medium"
  }
  expect_failures = [var.sku_name]
}
