package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// An LLM gateway's policy routes on the stream flag, computed in a block
// as public gateways do: streaming requests are forwarded unbuffered, the
// others buffered on purpose. The emulated hop runs the policy for the
// request the test stream sends, so a body that asks for a stream
// streams and one that does not is buffered; with no body (an
// EventSource's GET) the policy's body read throws, as APIM's would.
const emulatedLLMGateway = `
locals {
  policy = <<-XML
    <policies>
      <inbound>
        <base />
        <set-variable name="isStream" value="@{
            var body = context.Request.Body.As<JObject>(preserveContent: true);
            return body["stream"] != null ? body["stream"].ToString().ToLower() : "false";
        }" />
      </inbound>
      <backend>
        <choose>
          <when condition="@(context.Variables.GetValueOrDefault<string>("isStream") == "true")">
            <forward-request timeout="120" buffer-response="false" />
          </when>
          <otherwise>
            <forward-request timeout="120" buffer-response="true" />
          </otherwise>
        </choose>
      </backend>
      <outbound><base /></outbound>
      <on-error><base /></on-error>
    </policies>
  XML
  apim = { sku_name = "StandardV2_1", policies = [{ scope = "api", xml = local.policy }] }
  fast = { backend = { max_event_gap = "30s", heartbeat_interval = "10s" }, event_interval = "60s", time_scale = 600, silence_after_event = 0 }
}

data "sseready_emulated_stream" "streaming" {
  apim                = local.apim
  backend             = local.fast.backend
  event_interval      = local.fast.event_interval
  time_scale          = local.fast.time_scale
  silence_after_event = local.fast.silence_after_event
  body                = jsonencode({ stream = true, messages = [{ role = "user", content = "Count to 6" }] })
  headers             = { "Content-Type" = "application/json" }
}

data "sseready_emulated_stream" "not_streaming" {
  apim                = local.apim
  backend             = local.fast.backend
  event_interval      = local.fast.event_interval
  time_scale          = local.fast.time_scale
  silence_after_event = local.fast.silence_after_event
  body                = jsonencode({ stream = false, messages = [{ role = "user", content = "Count to 6" }] })
}

data "sseready_emulated_stream" "no_body" {
  apim                = local.apim
  backend             = local.fast.backend
  event_interval      = local.fast.event_interval
  time_scale          = local.fast.time_scale
  silence_after_event = local.fast.silence_after_event
}
`

func TestAccEmulatedStream_request(t *testing.T) {
	t.Parallel()
	at := func(name string, p tfjsonpath.Path, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.sseready_emulated_stream."+name, p, v)
	}
	hop := func(key string) tfjsonpath.Path { return tfjsonpath.New("hops").AtSliceIndex(0).AtMapKey(key) }
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: emulatedLLMGateway,
			ConfigStateChecks: []statecheck.StateCheck{
				at("streaming", tfjsonpath.New("outcome"), knownvalue.StringExact("streamed")),
				at("streaming", hop("effect"), knownvalue.StringExact("stream")),
				at("streaming", tfjsonpath.New("events"), knownvalue.ListSizeExact(6)),
				at("not_streaming", tfjsonpath.New("ok"), knownvalue.Bool(false)),
				at("not_streaming", hop("effect"), knownvalue.StringExact("buffer")),
				at("not_streaming", hop("rules"), knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("SSE101")})),
				at("no_body", tfjsonpath.New("ok"), knownvalue.Bool(false)),
			},
		}},
	})
}

func TestAccEmulatedStream_requestInputs(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: `
data "sseready_emulated_stream" "x" {
  method = "GET"
  body   = "{}"
}`, ExpectError: regexp.MustCompile(`(?s)body.*a GET sends no body`)},
			{Config: `
data "sseready_emulated_stream" "x" {
  method = "DELETE"
}`, ExpectError: regexp.MustCompile(`(?s)method.*"DELETE" is not a method the test stream sends`)},
		},
	})
}
