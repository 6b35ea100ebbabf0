# The whole path streams, proven on loopback before anything is deployed;
# a backend that stays silent past API Management's load balancer fails
# the path check and is cut in the emulator. azurerm is mocked and the
# stream check is only planned: no Azure account is needed.
mock_provider "azurerm" {}

# A 10-second heartbeat against the App Gateway's 40-second timeout: at
# 120 times faster, 83 ms against 333 ms, room for a busy runner.
variables {
  heartbeat_interval = "10s"
}

run "configuration" {
  # apply, not plan: OpenTofu 1.8 gives later runs the outputs of applied runs only.
  command = apply
  # The stream check reads the deployed gateway: there is none here, so
  # its result is given (the emulated runs are the proof).
  override_resource {
    target = sseready_stream_check.chat
    values = {
      outcome        = "streamed"
      events         = 20
      first_event_ms = 850
      gap_ms_p95     = 120
      cut            = false
    }
  }

  assert {
    condition     = data.sseready_chain_check.path.ready
    error_message = "The planned path must be ready."
  }
}

run "path_streams" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    chain = run.configuration.chain
  }

  assert {
    condition     = output.outcome == "streamed" && [for h in output.hops : h.name] == ["app_gateway", "apim"]
    error_message = "The path did not stream: ${output.outcome}: ${output.message}"
  }
  assert {
    condition     = length(output.events) == 6 && alltrue([for e in output.events : e.latency_ms < 500])
    error_message = "Every event must arrive, each within 500 ms of being sent."
  }
}

# Ten minutes of silence without a heartbeat: longer than the 4-minute
# idle cut of API Management's load balancer.
run "silent_backend_fails_the_check" {
  # apply, not plan: OpenTofu 1.8 gives later runs the outputs of applied runs only.
  command = apply
  # The stream check reads the deployed gateway: there is none here, so
  # its result is given (the emulated runs are the proof).
  override_resource {
    target = sseready_stream_check.chat
    values = {
      outcome        = "streamed"
      events         = 20
      first_event_ms = 850
      gap_ms_p95     = 120
      cut            = false
    }
  }
  variables {
    heartbeat_interval = null
  }
  expect_failures = [check.stream_path]
}

run "silent_backend_is_cut" {
  command = plan
  module {
    source = "./tests/prove"
  }
  variables {
    chain = run.silent_backend_fails_the_check.chain
  }

  # The App Gateway's timeout follows the silence (800 s); APIM's load
  # balancer does not.
  assert {
    condition     = output.outcome == "cut" && output.hops[0].outcome == "streamed" && output.hops[1].name == "apim" && output.hops[1].outcome == "cut"
    error_message = "A 10-minute silence must be cut at API Management, not ${output.outcome}: ${output.message}"
  }
}
