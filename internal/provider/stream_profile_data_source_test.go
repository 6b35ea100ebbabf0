package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccStreamProfile(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_stream_profile.chat"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: `data "sseready_stream_profile" "chat" { max_event_gap = "30s" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					// Behind APIM (the default hop): Azure Load Balancer's 240 s,
					// three quarters of it is 180 s; timeouts 4/3 of 30 s = 40.
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("required_heartbeat_interval"), knownvalue.StringExact("3m0s")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("wire_silence"), knownvalue.StringExact("30s")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("appgw_request_timeout"), knownvalue.Int64Exact(40)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("apim_forward_request_timeout"), knownvalue.Int64Exact(120)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("front_door_origin_response_timeout"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("backend_response_headers"), knownvalue.MapExact(map[string]knownvalue.Check{
						"Content-Type":      knownvalue.StringExact("text/event-stream"),
						"Cache-Control":     knownvalue.StringExact("no-cache"),
						"Connection":        knownvalue.StringExact("keep-alive"),
						"X-Accel-Buffering": knownvalue.StringExact("no"),
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("heartbeat_line"), knownvalue.StringExact(": heartbeat\n\n")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				Config: `
data "sseready_stream_profile" "chat" {
  max_event_gap       = "10m"
  heartbeat_interval  = "20s"
  max_time_to_headers = "45s"
  hops                = ["front_door", "app_gateway", "apim"]
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					// Headers take 45 s: 4/3 is 60 for APIM, App Gateway and Front Door.
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("wire_silence"), knownvalue.StringExact("20s")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("appgw_request_timeout"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("apim_forward_request_timeout"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("front_door_origin_response_timeout"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

func TestAccStreamProfile_cutAndErrors(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_stream_profile.feed"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      `data "sseready_stream_profile" "feed" { max_event_gap = "10 minutes" }`,
				ExpectError: attrErrorRe("max_event_gap", `"10 minutes" is not a duration: write it as Go does, such as "90s", "4m" or "1h30m"`),
			},
			{
				Config:      `data "sseready_stream_profile" "feed" { max_event_gap = "-30s" }`,
				ExpectError: attrErrorRe("max_event_gap", `"-30s" is negative`),
			},
			{
				Config:      `data "sseready_stream_profile" "feed" { max_event_gap = "0s" }`,
				ExpectError: attrErrorRe("max_event_gap", `"0s" is zero`),
			},
			{
				Config: `
data "sseready_stream_profile" "feed" {
  max_event_gap      = "30s"
  heartbeat_interval = "1m"
}`,
				ExpectError: attrErrorRe("heartbeat_interval", `1m0s is longer than max_event_gap (30s): a heartbeat fills the silence between events`),
			},
			{
				// No hop in sseready's sources limits a stream's whole length,
				// so there is no max_stream_duration to take and then ignore.
				Config: `
data "sseready_stream_profile" "feed" {
  max_event_gap       = "30s"
  max_stream_duration = "1h"
}`,
				ExpectError: errorRe(`An argument named "max_stream_duration" is not expected here.`),
			},
			{
				Config: `
data "sseready_stream_profile" "feed" {
  max_event_gap = "30s"
  hops          = ["apim", "cdn"]
}`,
				ExpectError: attrErrorRe("hops", `"cdn" is not a hop: use front_door, app_gateway, app_gateway_for_containers, apim, load_balancer`),
			},
			{
				// An element known only at apply waits too, it is no error.
				Config: `
resource "terraform_data" "hop" { input = "apim" }

data "sseready_stream_profile" "feed" {
  max_event_gap = "30s"
  hops          = ["app_gateway", terraform_data.hop.output]
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("required_heartbeat_interval"), knownvalue.StringExact("30s")), // 3/4 of the 40 s request_timeout output
				},
			},
			{
				// Known only at apply: the outputs wait, the check runs then.
				Config: `
resource "terraform_data" "gap" { input = "10m" }

data "sseready_stream_profile" "feed" {
  max_event_gap = terraform_data.gap.output
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(ds, tfjsonpath.New("ready"))},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// A ten-minute silence with no heartbeat behind APIM is cut.
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"rule":      knownvalue.StringExact("SSE401"),
							"severity":  knownvalue.StringExact("error"),
							"message":   knownvalue.StringRegexp(errorRe(`the stream can stay silent for 10m0s (max_event_gap) with no heartbeat, and Azure Load Balancer cuts a connection idle for 4m0s: send a comment heartbeat (": heartbeat") at least every 3m0s, from the response headers on: the silence before the first token counts too (proxies send ": ping" comments while the model thinks), or enable TCP keepalive on the backend`)),
							"line":      knownvalue.Int64Exact(0),
							"column":    knownvalue.Int64Exact(0),
							"element":   knownvalue.StringExact("heartbeat_interval"),
							"attribute": knownvalue.StringExact(""),
							"fragment":  knownvalue.StringExact(""),
							"hop":       knownvalue.StringExact("load_balancer"),
							"reason":    knownvalue.StringExact(""),
						}),
					})),
				},
			},
		},
	})
}

// The profile knows the clocks of a load balancer rule, Container Apps
// and App Service, with the rule's and the ingress's own timeouts.
func TestAccStreamProfile_moreHops(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_stream_profile.x"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: `
data "sseready_stream_profile" "x" {
  max_event_gap              = "30s"
  hops                       = ["load_balancer"]
  load_balancer_idle_timeout = "101m"
}`,
				ExpectError: attrErrorRe("load_balancer_idle_timeout", `1h41m0s is outside 4m0s to 1h40m0s`),
			},
			{
				Config: `
data "sseready_stream_profile" "x" {
  max_event_gap               = "5m"
  hops                        = ["load_balancer", "container_apps", "app_service"]
  load_balancer_idle_timeout  = "30m"
  container_apps_idle_timeout = "30m"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					// App Service's 230 s is the tightest: 3/4 of it, whole seconds.
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("required_heartbeat_interval"), knownvalue.StringExact("2m52s")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(false)),
				},
			},
		},
	})
}
