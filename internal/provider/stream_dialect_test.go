package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// dialectChain runs the origin behind an emulated API Management hop
// that streams (buffer-response false) on loopback.
func dialectChain(t *testing.T, o origin.Config) string {
	t.Helper()
	c, err := chainrun.Start(o, []chainrun.Hop{{Name: "apim", Config: gateway.Config{
		APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(streamingPolicyXML)}}, SKU: "StandardV2_1"}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.URL
}

// dialectInterval spaces the test origins' events far enough apart that a
// reader a busy machine delays does not take two in one read, which the
// probe counts as buffering; wider still as the machine's load widens
// testslack's bounds.
func dialectInterval() time.Duration { return testslack.Bound(60 * time.Millisecond) }

// The resource reads each dialect through an emulated hop: the protocol
// it recognised, whether the stream completed, its content events (what
// min_events counts) apart from its events; an MCP tool's call over
// both transports, compressed; and it fails the apply on a stream
// without its final event, and on a min_events the content misses.
func TestAccStreamCheckDialects(t *testing.T) {
	t.Parallel()
	const four = 4
	interval := dialectInterval()
	responses := dialectChain(t, origin.Config{Responses: true, Events: four, Interval: interval})
	gzipped := dialectChain(t, origin.Config{Messages: true, Events: four, Interval: interval, Compress: origin.CompressGzip})
	cut := dialectChain(t, origin.Config{Responses: true, Events: four, Interval: interval, Ending: origin.EndNone})
	mcp := dialectChain(t, origin.Config{MCP: true, Events: 3, Interval: interval, Compress: origin.CompressBrotli})
	check := func(name, url, attrs string) string {
		return fmt.Sprintf(`
resource "sseready_stream_check" %q {
  url      = %q
  duration = "5s"
%s
}
`, name, url, attrs)
	}
	state := func(name string, kv map[string]knownvalue.Check) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for k, v := range kv {
			out = append(out, statecheck.ExpectKnownValue("sseready_stream_check."+name, tfjsonpath.New(k), v))
		}
		return out
	}
	responsesBody := `  body = jsonencode({ input = "hi", stream = true })`
	messagesBody := `  body = jsonencode({ max_tokens = 99, messages = [{ role = "user", content = "hi" }], stream = true })`
	var checks []statecheck.StateCheck
	checks = append(checks, state("responses", map[string]knownvalue.Check{
		"outcome": knownvalue.StringExact("streamed"), "protocol": knownvalue.StringExact("responses"), "completed": knownvalue.Bool(true),
		"content_events": knownvalue.Int64Exact(four), "events": knownvalue.Int64Exact(12), "content_encoding": knownvalue.StringExact(""),
	})...)
	checks = append(checks, state("gzip", map[string]knownvalue.Check{
		"outcome": knownvalue.StringExact("streamed"), "protocol": knownvalue.StringExact("anthropic_messages"), "completed": knownvalue.Bool(true),
		"content_events": knownvalue.Int64Exact(four), "content_encoding": knownvalue.StringExact("gzip"), "compressed": knownvalue.Bool(true),
	})...)
	for _, tr := range []string{"streamable_http", "http_sse"} {
		checks = append(checks, state("mcp_"+tr, map[string]knownvalue.Check{
			"outcome": knownvalue.StringExact("streamed"), "protocol": knownvalue.StringExact("mcp"), "completed": knownvalue.Bool(true),
			"content_events": knownvalue.Int64Exact(3), "content_encoding": knownvalue.StringExact("br"),
		})...)
	}
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config: check("responses", responses, responsesBody+"\n  min_events = 4") +
				check("gzip", gzipped, messagesBody+"\n  compressed = true\n  min_events = 4") +
				check("mcp_streamable_http", mcp+"/mcp", "  mcp_tool = \"count\"\n  mcp_transport = \"streamable_http\"\n  compressed = true\n  min_events = 3") +
				check("mcp_http_sse", mcp+origin.MCPSSEPath, "  mcp_tool = \"count\"\n  mcp_args = jsonencode({ steps = 3 })\n  mcp_transport = \"http_sse\"\n  compressed = true"),
			ConfigStateChecks: checks,
		},
		// Forced to plain SSE, every event is content and nothing
		// completes the stream.
		{
			Config: check("responses", responses, responsesBody+"\n  protocol = \"sse\"\n  min_events = 12"),
			ConfigStateChecks: state("responses", map[string]knownvalue.Check{
				"outcome": knownvalue.StringExact("streamed"), "protocol": knownvalue.StringExact("sse"), "completed": knownvalue.Bool(false),
				"content_events": knownvalue.Int64Exact(12), "events": knownvalue.Int64Exact(12),
			}),
		},
		{Config: check("responses", responses, responsesBody+"\n  min_events = 5"), ExpectError: errorRe("min_events: 4 content events arrived in 5s, fewer than min_events (5)")},
		{Config: check("cut", cut, responsesBody), ExpectError: errorRe("the Responses stream ended after 8 events without response.completed")},
	}})
}

// The data source and the ephemeral resource report the protocol,
// whether the stream completed, its content events and content coding.
func TestAccStreamProbeDialects(t *testing.T) {
	t.Parallel()
	interval := dialectInterval()
	chat := dialectChain(t, origin.Config{ChatCompletions: true, Events: 3, Interval: interval, Compress: origin.CompressDeflate})
	mcp := dialectChain(t, origin.Config{MCP: true, Events: 2, Interval: interval})
	accTestEcho(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "sseready_stream_probe" "chat" {
  url        = %q
  body       = jsonencode({ messages = [{ role = "user", content = "hi" }], stream = true })
  headers    = { "Accept-Encoding" = "deflate" }
  duration   = "5s"
  min_events = 4
}
ephemeral "sseready_stream_probe" "mcp" {
  url      = %q
  mcp_tool = "count"
  duration = "5s"
}
provider "echo" {
  data = { for k in ["ok", "outcome", "protocol", "completed", "content_events", "content_encoding"] : k => ephemeral.sseready_stream_probe.mcp[k] }
}
resource "echo" "mcp" {}
`, chat, mcp+"/mcp"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("ok"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("outcome"), knownvalue.StringExact("streamed")),
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("protocol"), knownvalue.StringExact("chat_completions")),
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("completed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("content_events"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("content_encoding"), knownvalue.StringExact("deflate")),
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("problems"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringRegexp(errorRe("min_events: 3 content events arrived in 5s, fewer than min_events (4)")),
				})),
				statecheck.ExpectKnownValue("echo.mcp", tfjsonpath.New("data"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"ok": knownvalue.Bool(true), "outcome": knownvalue.StringExact("streamed"), "protocol": knownvalue.StringExact("mcp"),
					"completed": knownvalue.Bool(true), "content_events": knownvalue.Int64Exact(2), "content_encoding": knownvalue.StringExact(""),
				})),
			},
		}},
	})
}

// Wrong protocol and MCP inputs are refused at plan time, on their
// attribute.
func TestAccStreamCheckDialectInputs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ attrs, want string }{
		{`protocol = "auto"`, `leave protocol out to have it recognised`},
		{`protocol = "grpc"`, `protocol "grpc" is not chat_completions`},
		{`mcp_args = "{}"`, `goes with mcp_tool`},
		{"mcp_tool = \"count\"\n  mcp_args = \"[1]\"", `must be a JSON object`},
		{"mcp_tool = \"count\"\n  body = \"{}\"", `an MCP call sends the session's own requests: drop body`},
		{"mcp_tool = \"count\"\n  mcp_transport = \"ws\"", `MCP transport "ws" is not auto, streamable_http or http_sse`},
	} {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{Steps: []resource.TestStep{{
				Config:      fmt.Sprintf("resource \"sseready_stream_check\" \"x\" {\n  url = \"http://127.0.0.1:1/\"\n  %s\n}\n", tt.attrs),
				ExpectError: errorRe(tt.want),
				PlanOnly:    true,
			}}})
		})
	}
}
