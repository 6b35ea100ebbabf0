package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// emulatedSettings renders good settings with the provider's own data
// sources, for a backend silent up to 5 minutes with a 20 s heartbeat.
// The emulated streams run 600 times faster than Azure: events 100 ms
// apart, the 5-minute silence 0.5 s, so each read takes about a second.
const emulatedSettings = `
data "sseready_apim_policy" "chat" {
  timeout = 120
}

data "sseready_appgw_settings" "chat" {
  sku_name           = "Standard_v2"
  max_event_gap      = "5m"
  heartbeat_interval = "20s"
}

locals {
  backend = { max_event_gap = "5m", heartbeat_interval = "20s" }
  # 60 times Azure's clocks, as the example: the good chain's heartbeat
  # then clears App Gateway's timeout by 117 ms on loopback (at 600 times
  # 12 ms, at 120 times 58 ms, which a busy machine overran: CI saw the
  # good stream cut).
  fast = { event_interval = "60s", time_scale = 60 }
}
`

// The good chain: App Gateway and API Management as sseready renders
// them. Broken ones: a buffering forward-request, an App Gateway timeout
// shorter than a silence without heartbeats (its stream runs 300 times
// faster: events 100 ms apart, the 120 s timeout 400 ms), a Consumption
// tier.
const emulatedChains = emulatedSettings + `
data "sseready_emulated_stream" "good" {
  app_gateway = {
    sku_name        = "Standard_v2"
    global          = { request_buffering_enabled = false, response_buffering_enabled = data.sseready_appgw_settings.chat.response_buffering_enabled }
    request_timeout = data.sseready_appgw_settings.chat.request_timeout
  }
  apim = {
    sku_name = "StandardV2_1"
    policies = [{ scope = "api", xml = data.sseready_apim_policy.chat.xml }]
  }
  backend        = local.backend
  event_interval = local.fast.event_interval
  time_scale     = local.fast.time_scale
}

data "sseready_emulated_stream" "buffering" {
  apim = {
    sku_name = "StandardV2_1"
    policies = [{ xml = "<policies><inbound><base /></inbound><backend><forward-request timeout=\"600\" /></backend><outbound><base /></outbound></policies>" }]
  }
  backend        = local.backend
  event_interval = local.fast.event_interval
  time_scale     = local.fast.time_scale
}

data "sseready_emulated_stream" "short_timeout" {
  app_gateway = {
    sku_name        = "Standard_v2"
    global          = { request_buffering_enabled = false, response_buffering_enabled = false }
    request_timeout = 120
  }
  backend        = { max_event_gap = "5m" }
  event_interval = "30s"
  time_scale     = 300
}

data "sseready_emulated_stream" "consumption" {
  apim = {
    sku_name = "Consumption_0"
    policies = [{ xml = data.sseready_apim_policy.chat.xml }]
  }
  backend        = local.backend
  event_interval = local.fast.event_interval
  time_scale     = local.fast.time_scale
}
`

func TestAccEmulatedStream(t *testing.T) {
	t.Parallel()
	at := func(name string, p tfjsonpath.Path, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.sseready_emulated_stream."+name, p, v)
	}
	hop := func(i int, key string) tfjsonpath.Path { return tfjsonpath.New("hops").AtSliceIndex(i).AtMapKey(key) }
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: emulatedChains,
			ConfigStateChecks: []statecheck.StateCheck{
				at("good", tfjsonpath.New("outcome"), knownvalue.StringExact("streamed")),
				at("good", tfjsonpath.New("ok"), knownvalue.Bool(true)),
				at("good", tfjsonpath.New("message"), knownvalue.Null()),
				at("good", tfjsonpath.New("events"), knownvalue.ListSizeExact(6)),
				at("good", hop(0, "name"), knownvalue.StringExact("app_gateway")),
				at("good", hop(0, "effect"), knownvalue.StringExact("stream")),
				at("good", hop(1, "name"), knownvalue.StringExact("apim")),
				at("good", hop(1, "outcome"), knownvalue.StringExact("streamed")),
				at("good", hop(1, "cut"), knownvalue.Null()),

				at("buffering", tfjsonpath.New("ok"), knownvalue.Bool(false)),
				// Held in APIM's buffer, the heartbeats reach no one: the
				// load balancer's idle clock cuts the stream.
				at("buffering", tfjsonpath.New("outcome"), knownvalue.StringExact("cut")),
				at("buffering", hop(0, "effect"), knownvalue.StringExact("buffer")),
				at("buffering", hop(0, "outcome"), knownvalue.StringExact("cut")),
				at("buffering", hop(0, "cut"), knownvalue.StringRegexp(regexp.MustCompile(`idle`))),
				at("buffering", hop(0, "rules"), knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("SSE101")})),

				at("short_timeout", tfjsonpath.New("outcome"), knownvalue.StringExact("cut")),
				at("short_timeout", hop(0, "outcome"), knownvalue.StringExact("cut")),
				at("short_timeout", hop(0, "cut"), knownvalue.StringRegexp(regexp.MustCompile(`request timeout`))),
				at("short_timeout", tfjsonpath.New("events"), knownvalue.ListSizeExact(3)),

				at("consumption", tfjsonpath.New("outcome"), knownvalue.StringExact("refused")),
				at("consumption", hop(0, "effect"), knownvalue.StringExact("refuse")),
				at("consumption", hop(0, "outcome"), knownvalue.StringExact("refused")),
				at("consumption", tfjsonpath.New("events"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// Every event of the good chain arrives under a bound, each after the one
// before: an assertion a module's terraform test makes the same way.
func TestAccEmulatedStream_latencies(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: emulatedSettings + `
data "sseready_emulated_stream" "chat" {
  apim           = { sku_name = "StandardV2_1", policies = [{ xml = data.sseready_apim_policy.chat.xml }] }
  backend        = local.backend
  event_interval = local.fast.event_interval
  time_scale     = local.fast.time_scale
}

output "latencies_under_bound" {
  value = alltrue([for e in data.sseready_emulated_stream.chat.events : e.latency_ms < 1000])
}

output "in_order" {
  value = alltrue([for i, e in data.sseready_emulated_stream.chat.events : i == 0 || e.arrival_ms > data.sseready_emulated_stream.chat.events[max(i - 1, 0)].arrival_ms])
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("latencies_under_bound", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("in_order", knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccEmulatedStream_inputs(t *testing.T) {
	t.Parallel()
	apim := `apim = { sku_name = "StandardV2_1", policies = [{ xml = "<policies><inbound /><backend><forward-request buffer-response=\"false\" /></backend><outbound /></policies>" }] }`
	cases := []struct {
		name, config string
		want         *regexp.Regexp
	}{
		{"time_scale", apim + "\ntime_scale = 0", attrErrorRe("time_scale", "0 is out of range")},
		{"event_count", apim + "\nevent_count = 0", attrErrorRe("event_count", "0 is out of range")},
		{"event_interval", apim + "\nevent_interval = \"soon\"", attrErrorRe("event_interval", `"soon" is not a duration`)},
		{"too long", apim + "\ntime_scale = 1", attrErrorRe("time_scale", "raise time_scale")},
		{"no hop", `backend = { max_event_gap = "1m" }`, errorRe("no hop is given")},
		{"apim without policy", `apim = { sku_name = "StandardV2_1" }`, attrErrorRe("apim", "needs a policy document")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{Steps: []resource.TestStep{{
				Config:      "data \"sseready_emulated_stream\" \"x\" {\n" + tc.config + "\n}\n",
				ExpectError: tc.want,
			}}})
		})
	}
}
