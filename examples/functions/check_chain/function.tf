# check_chain is sseready_chain_check as a function: the same keys, any of
# them left out. At plan time it reports settings that are not known yet
# (`unknown`, `complete = false`) instead of failing; `ready` and `findings`
# are then unknown until apply.
locals {
  chain = provider::sseready::check_chain({
    app_gateway = {
      sku_name        = "Standard_v2"
      global          = { request_buffering_enabled = true, response_buffering_enabled = false }
      request_timeout = 60
    }
    apim = {
      sku_name = "StandardV2_1"
      policies = [{ xml = "<policies><backend><forward-request timeout=\"120\" buffer-response=\"false\" /></backend></policies>" }]
    }
    backend = {
      max_event_gap      = "30m"
      heartbeat_interval = "30s"
      response_headers   = { "Content-Type" = "text/event-stream", "Cache-Control" = "no-cache", "Connection" = "keep-alive", "X-Accel-Buffering" = "no" }
    }
  })
}

output "chain_ready" {
  value = local.chain.ready
}

output "chain_findings" {
  value = local.chain.findings
}
