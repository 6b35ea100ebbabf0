package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

const streamingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound></policies>`

func TestProve(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"good.xml":     streamingPolicy,
		"legacy.xml":   strings.Replace(streamingPolicy, ` buffer-response="false"`, "", 1),
		"inherit.xml":  `<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>`,
		"appgw.json":   `{"response_buffering_enabled": false, "request_timeout": 40}`,
		"default.json": `{}`,
		"replaced.xml": strings.Replace(streamingPolicy, "<outbound><base />", `<outbound><base /><return-response />`, 1),
	})
	f := func(name string) string { return filepath.Join(dir, name) }
	// At 120x the load balancer's cut takes 2 s, the 6-minute silence
	// 3 s, the 20 s heartbeat 167 ms, 167 ms inside App Gateway's 40 s
	// (at 240x that margin was 83 ms, which a busy machine overran).
	fast := []string{"--time-scale", "120"}
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"good settings stream, heartbeats outlast the idle cut",
			[]string{"--appgw-settings", f("appgw.json"), "--apim-policy", f("good.xml")}, 0,
			[]string{"app_gateway: stream\n", "apim: stream\n", "event 6 ", "ok: every event arrived as it was sent"}},
		{"no heartbeat: App Gateway's request timeout cuts first",
			[]string{"--appgw-settings", f("appgw.json"), "--apim-policy", f("good.xml"), "--heartbeat", "0"}, 1,
			[]string{"event 3 ", "app_gateway cut the stream: the upstream was silent for 333ms (request timeout)", "outcome: cut (broke_off after", "at app_gateway)"}},
		{"no heartbeat and no App Gateway: the load balancer cuts",
			[]string{"--apim-policy", f("good.xml"), "--heartbeat", "0"}, 1,
			[]string{"event 3 ", "apim cut the stream: nothing reached the client for 2s (idle timeout)", "outcome: cut (broke_off after", "at apim)"}},
		{"App Gateway's defaults hold the stream",
			[]string{"--appgw-settings", f("default.json"), "--apim-policy", f("good.xml")}, 1,
			[]string{"app_gateway: buffer=65536; rules=SSE301", "event 6 ", "outcome: held (released_at_end after", "at app_gateway)", "not ok: held"}},
		{"a buffering policy holds a stream smaller than its 8 KB unit to the end",
			[]string{"--apim-policy", f("legacy.xml"), "--silence-after", "0"}, 1,
			[]string{"apim: buffer=8192; rules=SSE101", "event 6 ", "outcome: held (released_at_end after", "at apim)"}},
		// Above the highest scope given stands APIM's global default
		// forward-request, which buffers (FACTS.md).
		{"an operation policy whose backend only says <base /> buffers, so holds a small stream",
			[]string{"--apim-policy", "operation=" + f("inherit.xml"), "--silence-after", "0"}, 1,
			[]string{"apim: buffer=8192; rules=SSE102", "event 6 ", "outcome: held (released_at_end after", "at apim)"}},
		{"a product policy whose backend only says <base /> buffers",
			[]string{"--apim-policy", "product=" + f("inherit.xml"), "--silence-after", "0"}, 1,
			[]string{"apim: buffer=8192; rules=SSE102", "outcome: held (released_at_end after", "at apim)"}},
		{"an operation policy that forwards with buffer-response false streams",
			[]string{"--apim-policy", "operation=" + f("good.xml"), "--silence-after", "0"}, 0,
			[]string{"apim: stream\n", "event 6 ", "outcome: streamed\n", "ok: every event arrived as it was sent"}},
		{"a streaming global policy settles an operation's <base />",
			[]string{"--apim-policy", "global=" + f("good.xml"), "--apim-policy", "operation=" + f("inherit.xml"), "--silence-after", "0"}, 0,
			[]string{"apim: stream\n", "ok: every event arrived as it was sent"}},
		// An <outbound> return-response answers instead of the stream: 200
		// with no body and no Content-Type.
		{"an outbound return-response replaces the stream",
			[]string{"--apim-policy", f("replaced.xml"), "--silence-after", "0"}, 1,
			[]string{"apim: answer=200; rules=SSE151", "status 200", "0 events", "outcome: not_sse"}},
		{"the Consumption tier refuses",
			[]string{"--apim-policy", f("good.xml"), "--apim-sku", "Consumption_0"}, 1,
			[]string{"apim: refuse", "status 503", "outcome: refused\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, "", append(append([]string{"prove"}, fast...), tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			// Long lines are wrapped with an indent; match across the wraps.
			rest := strings.ReplaceAll(out, "\n  ", " ")
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestProveJSON(t *testing.T) {
	dir := writeFiles(t, map[string]string{"good.xml": streamingPolicy})
	code, out, _ := runCLI(t, "", "prove", "--apim-policy", filepath.Join(dir, "good.xml"), "--time-scale", "240", "--silence-after", "0", "--format", "json")
	var res struct {
		Outcome   string  `json:"outcome"`
		OK        bool    `json:"ok"`
		TimeScale float64 `json:"time_scale"`
		Hops      []struct {
			Name, Behavior string
		} `json:"hops"`
		Cuts  []map[string]any `json:"cuts"`
		Probe struct {
			Events []map[string]any `json:"events"`
		} `json:"probe"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 0 || !res.OK || res.Outcome != "streamed" || res.TimeScale != 240 || len(res.Hops) != 1 || res.Hops[0].Name != "apim" || res.Cuts == nil || len(res.Probe.Events) != 6 {
		t.Fatalf("exit %d: %+v", code, res)
	}
}

// The help says what the hop composes the policies over.
func TestProveHelpNamesTheGlobalDefault(t *testing.T) {
	code, _, stderr := runCLI(t, "", "prove", "--help")
	if code != 0 || !strings.Contains(strings.Join(strings.Fields(stderr), " "), "above the highest scope given stands APIM's global default, a <forward-request/> that buffers") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
}

func TestProveUsageErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"good.xml": streamingPolicy})
	good := filepath.Join(dir, "good.xml")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{}, "give the settings of at least one hop"},
		{[]string{"--apim-policy", good, "extra"}, `unexpected argument "extra"`},
		{[]string{"--apim-policy", good, "--time-scale", "0.5"}, "--time-scale must be 1 or more"},
		{[]string{"--apim-policy", good, "--events", "0"}, "--events must be 1 or more"},
		{[]string{"--apim-policy", good, "--format", "xml"}, "--format must be text or json"},
		{[]string{"--apim-policy", filepath.Join(dir, "missing.xml")}, "missing.xml: no such file"},
		{[]string{"--apim-sku", "StandardV2_1", "--appgw-settings", good}, "--apim-sku, --apim-diagnostic and --apim-fragment go with --apim-policy"},
		{[]string{"--apim-policy", good, "--silence-after", "2", "--silence", "0s"}, "silence-after needs a silence duration"},
	} {
		code, _, errOut := runCLI(t, "", append([]string{"prove"}, tt.args...)...)
		if code != exitInput || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}
