package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// streamSecret is the key the check sends in headers_wo: it must reach
// the endpoint and never the plan or the state.
const streamSecret = "sk-test-7d1e-never-in-state"

// keyRecorder stands in front of an endpoint and records the api-key
// each request carried, relaying the stream as it comes.
type keyRecorder struct {
	mu   sync.Mutex
	keys []string
}

func (k *keyRecorder) front(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.FlushInterval = -1 // relay each write: the stream is the thing under test
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		k.keys = append(k.keys, r.Header.Get("Api-Key"))
		k.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (k *keyRecorder) seen() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.keys...)
}

// absent is a state and plan check that the secret appears nowhere in
// terraform's JSON of them (terraform show -json, which holds sensitive
// values in the clear).
type absent struct{ secret string }

func (a absent) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(b), a.secret) {
		resp.Error = fmt.Errorf("the secret is in the state (terraform show -json)")
	}
}

func (a absent) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(b), a.secret) {
		resp.Error = fmt.Errorf("the secret is in the plan (terraform show -json)")
	}
}

func streamCheckConfig(url, extra string) string {
	return fmt.Sprintf(`
resource "sseready_stream_check" "chat" {
  url        = %q
  duration   = "3s"
  min_events = 4
%s
}
`, url, extra)
}

// TestAccStreamCheck applies the provider's data sources, runs their
// values in the emulated chain on loopback, and checks the stream with
// the resource: the good chain passes (its key sent, and kept out of the
// plan and the state); a buffered, a held, a cut and a refused chain fail
// the apply naming what happened and the rules to look at.
func TestAccStreamCheck(t *testing.T) {
	t.Parallel()
	var p proven
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{Config: provenConfig, ConfigStateChecks: p.checks()}}})
	if t.Failed() || p.policy == nil {
		t.Fatal("the apply did not produce the values to check")
	}
	policy := &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}, SKU: "StandardV2_1"}
	goodAppGW := &gateway.AppGW{ResponseBuffering: boolean(t, p.appgwBuffering), RequestTimeout: time.Duration(num(t, p.appgwTimeout)) * time.Second}
	patient := &gateway.AppGW{RequestTimeout: 86400 * time.Second}
	// Events every 10 s with 20 s heartbeats on the proof's clock: 6 in
	// about a second.
	chat := origin.Config{Events: 6, Interval: scaled(10 * time.Second), Heartbeat: scaled(20 * time.Second)}
	steady := chat
	steady.Padding = 3000 // 3 KB events fill APIM's 8 KB unit every third
	silent := origin.Config{Events: 6, Interval: scaled(10 * time.Second), SilenceAfter: 2, Silence: scaled(6 * time.Minute)}

	var keys keyRecorder
	good, _ := chain(t, chat, policy, goodAppGW)
	good = keys.front(t, good)
	buffered, _ := chain(t, steady, &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.legacy))}}}, patient)
	held, _ := chain(t, steady, &gateway.APIM{Policies: policy.Policies, Diagnostics: []apimdiag.Diagnostic{
		{Identifier: "applicationinsights", Blocks: map[string]*apimdiag.Block{"frontend_response": {BodyBytes: num(t, p.brokenBodyBytes)}}}}}, patient)
	cut, _ := chain(t, silent, policy, &gateway.AppGW{RequestTimeout: time.Duration(num(t, p.brokenTimeout)) * time.Second})
	refused, _ := chain(t, chat, &gateway.APIM{Policies: policy.Policies, SKU: str(t, p.brokenSKU)}, goodAppGW)

	// The key comes as users pass one: an ephemeral variable, never in
	// the plan's variables either.
	withKey := `
  headers_wo = { "api-key" = var.openai_key }
  triggers   = { policy = "v1" }
}

variable "openai_key" {
  type      = string
  ephemeral = true
  sensitive = true`
	key := config.Variables{"openai_key": config.StringVariable(streamSecret)}
	accTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: streamCheckConfig(buffered, ""), ExpectError: errorRe("did not pass: buffered")},
			{Config: streamCheckConfig(buffered, ""), ExpectError: errorRe("look at SSE101 (forward-request-buffers)")},
			{Config: streamCheckConfig(held, ""), ExpectError: errorRe("did not pass: held")},
			{Config: streamCheckConfig(held, ""), ExpectError: errorRe("SSE202 (diagnostic-body-logging)")},
			{Config: streamCheckConfig(cut, ""), ExpectError: errorRe("did not pass: cut")},
			{Config: streamCheckConfig(cut, ""), ExpectError: errorRe("SSE302 (appgw-request-timeout)")},
			{Config: streamCheckConfig(refused, ""), ExpectError: errorRe("did not pass: refused")},
			{Config: streamCheckConfig(refused, ""), ExpectError: errorRe("SSE201")},
			{
				Config: streamCheckConfig(good, withKey), ConfigVariables: key,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("sseready_stream_check.chat", plancheck.ResourceActionCreate),
					absent{streamSecret},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("sseready_stream_check.chat", tfjsonpath.New("outcome"), knownvalue.StringExact("streamed")),
					statecheck.ExpectKnownValue("sseready_stream_check.chat", tfjsonpath.New("events"), knownvalue.Int64Exact(6)),
					statecheck.ExpectKnownValue("sseready_stream_check.chat", tfjsonpath.New("cut"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("sseready_stream_check.chat", tfjsonpath.New("status"), knownvalue.Int64Exact(200)),
					statecheck.ExpectKnownValue("sseready_stream_check.chat", tfjsonpath.New("headers_wo"), knownvalue.Null()),
					absent{streamSecret},
				},
			},
			// Reading the state does not probe again: nothing to do.
			{Config: streamCheckConfig(good, withKey), ConfigVariables: key, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			// A trigger's change replaces it, and it reads again.
			{
				Config: streamCheckConfig(good, strings.Replace(withKey, `"v1"`, `"v2"`, 1)), ConfigVariables: key,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("sseready_stream_check.chat", plancheck.ResourceActionReplace),
				}},
			},
		},
	})
	if got := keys.seen(); len(got) != 2 || got[0] != streamSecret || got[1] != streamSecret {
		t.Errorf("the endpoint saw api-key %q: want the write-only key on each of the two reads", got)
	}
}

// streamingPolicyXML is Microsoft's recommended backend.
const streamingPolicyXML = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound></policies>`

// The data source never fails on a bad stream: a check block judges it.
func TestAccStreamProbe(t *testing.T) {
	t.Parallel()
	good, _ := chain(t, origin.Config{Events: 4, Interval: dialectInterval()},
		&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(streamingPolicyXML)}}}, &gateway.AppGW{RequestTimeout: 86400 * time.Second})
	refused, _ := chain(t, origin.Config{Events: 4, Interval: dialectInterval()},
		&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(streamingPolicyXML)}}, SKU: "Consumption_0"}, &gateway.AppGW{RequestTimeout: 86400 * time.Second})
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config: fmt.Sprintf(`
data "sseready_stream_probe" "good" {
  url      = %q
  duration = "2s"
}
data "sseready_stream_probe" "refused" {
  url      = %q
  duration = "2s"
}
check "chat_streams" {
  assert {
    condition     = data.sseready_stream_probe.refused.ok
    error_message = join("; ", data.sseready_stream_probe.refused.problems)
  }
}
output "good" {
  value = { for k in ["ok", "outcome", "events", "problems"] : k => data.sseready_stream_probe.good[k] }
}
output "refused" {
  value = { for k in ["ok", "outcome", "status", "problems"] : k => data.sseready_stream_probe.refused[k] }
}
`, good, refused),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValueAtPath("good", tfjsonpath.New("ok"), knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValueAtPath("good", tfjsonpath.New("outcome"), knownvalue.StringExact("streamed")),
				statecheck.ExpectKnownOutputValueAtPath("good", tfjsonpath.New("events"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownOutputValueAtPath("good", tfjsonpath.New("problems"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownOutputValueAtPath("refused", tfjsonpath.New("ok"), knownvalue.Bool(false)),
				statecheck.ExpectKnownOutputValueAtPath("refused", tfjsonpath.New("outcome"), knownvalue.StringExact("refused")),
				statecheck.ExpectKnownOutputValueAtPath("refused", tfjsonpath.New("status"), knownvalue.Int64Exact(503)),
				statecheck.ExpectKnownOutputValueAtPath("refused", tfjsonpath.New("problems"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringRegexp(errorRe("SSE201 (apim-consumption-tier)")),
				})),
			},
		},
	}})
}

// Bad inputs are refused at plan time, on their attribute.
func TestAccStreamCheckInputs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ attrs, want string }{
		{`url = "ftp://example.com/"`, `is not an http(s) URL`},
		{"url = \"http://127.0.0.1:1/\"\n  duration = \"5\"", `"5" is not a duration`},
		{"url = \"http://127.0.0.1:1/\"\n  duration = \"2h\"", `is longer than 30m0s`},
		{"url = \"http://127.0.0.1:1/\"\n  min_events = 0", `a stream must deliver at least 1 event`},
		{"url = \"http://127.0.0.1:1/\"\n  method = \"GE T\"", `is not an HTTP method`},
		{"url = \"http://127.0.0.1:1/\"\n  duration = \"2s\"\n  max_first_event = \"5s\"", `is longer than duration (2s)`},
	} {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{Steps: []resource.TestStep{{
				Config:      fmt.Sprintf("resource \"sseready_stream_check\" \"x\" {\n  %s\n}\n", tt.attrs),
				ExpectError: errorRe(tt.want),
				PlanOnly:    true,
			}}})
		})
	}
}
