package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// chainJSON writes a chain as jsonencode() of sseready_chain_check's input
// would, with the policies given.
func chainJSON(policies ...string) string {
	return `{
  "app_gateway": {"sku_name": "WAF_v2", "global": {"request_buffering_enabled": true, "response_buffering_enabled": false}, "request_timeout": 60},
  "apim": {"sku_name": "StandardV2_1", "policies": [` + strings.Join(policies, ",") + `]},
  "backend": {"max_event_gap": "6m", "heartbeat_interval": "20s",
              "response_headers": {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}}
}`
}

func policyJSON(scope, xml string) string {
	b, _ := json.Marshal(map[string]string{"scope": scope, "xml": xml})
	return string(b)
}

const inheritsXML = `<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>`

// check-chain and prove --chain read the same file the same way: what one
// refuses the other refuses, and they agree on what buffers.
func TestCheckChainAndProveAgree(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"good.json":     chainJSON(policyJSON("api", streamingPolicy), policyJSON("operation", inheritsXML)),
		"twoapi.json":   chainJSON(policyJSON("api", streamingPolicy), policyJSON("api", streamingPolicy)),
		"opalone.json":  chainJSON(policyJSON("operation", inheritsXML)),
		"whole-ds.json": strings.Replace(chainJSON(policyJSON("api", streamingPolicy)), "{\n", `{"ready": true, "findings": [], `+"\n", 1),
		"broken.json":   "{\n  \"apim\": {\"sku_name\": \"StandardV2_1\",}\n}",
		"badvalue.json": `{"app_gateway": {"sku_name": "WAF_v2", "request_timeout": 0}}`,
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	fast := []string{"--time-scale", "240", "--silence-after", "0"}
	tests := []struct {
		file                 string
		checkCode, proveCode int
		check, prove         string
	}{
		{"good.json", 0, 0, "", "ok: every event arrived as it was sent"},
		{"whole-ds.json", 0, 0, "", "ok: every event arrived"},
		// Above the highest scope given stands APIM's global default: both
		// say the operation's <base /> buffers.
		{"opalone.json", 1, 1, "apim.policies[0].xml:1:47: error SSE102: apim.policies[0] (operation scope): <base /> inherits APIM's global default", "apim: buffer=8192; rules=SSE102"},
		// Two policies at one scope: both refuse the input.
		{"twoapi.json", 2, 2, "apim.policies[1].scope: error: apim.policies[0] is at api scope too", "apim.policies[1].scope: apim.policies[0] is at api scope too"},
		{"broken.json", 2, 2, "broken.json: error: line 2, column 39: invalid character '}'", "line 2, column 39: invalid character '}'"},
		{"badvalue.json", 2, 2, "app_gateway.request_timeout: error: 0 is outside 1 to 86400 seconds", "app_gateway.request_timeout: 0 is outside 1 to 86400 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, "", "check-chain", p(tt.file))
			if code != tt.checkCode || !strings.Contains(out+errOut, tt.check) {
				t.Errorf("check-chain: exit %d, want %d, output lacks %q:\n%s%s", code, tt.checkCode, tt.check, out, errOut)
			}
			code, out, errOut = runCLI(t, "", append([]string{"prove", "--chain", p(tt.file)}, fast...)...)
			if code != tt.proveCode || !strings.Contains(strings.ReplaceAll(out+errOut, "\n  ", " "), tt.prove) {
				t.Errorf("prove --chain: exit %d, want %d, output lacks %q:\n%s%s", code, tt.proveCode, tt.prove, out, errOut)
			}
		})
	}
}

func TestCheckChainJSONAndUsage(t *testing.T) {
	code, out, _ := runCLI(t, chainJSON(policyJSON("api", strings.Replace(streamingPolicy, ` buffer-response="false"`, "", 1))), "check-chain", "--format", "json", "-")
	var rep chainReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.Ready || rep.File != "<stdin>" {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if f := rep.Findings[0]; f.Rule != "SSE101" || f.Hop != "apim" || f.Setting != "apim.policies[0].xml" || f.Element != "forward-request" || f.Line == 0 {
		t.Fatalf("finding %+v", f)
	}
	for _, args := range [][]string{{"check-chain"}, {"check-chain", "a", "b"}, {"check-chain", "--format", "xml", "a"}} {
		if code, _, _ := runCLI(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if code, _, errOut := runCLI(t, "", "prove", "--chain", "x.json", "--apim-sku", "Basic_1"); code != 2 || !strings.Contains(errOut, "--chain holds every hop's settings") {
		t.Errorf("--chain with hop flags: exit %d %s", code, errOut)
	}
}

// prove --chain runs the hops beyond App Gateway and API Management too,
// on the chain's own clocks: the check and the run agree on each.
func TestProveChainEveryHop(t *testing.T) {
	const heartbeat = `"backend": {"max_event_gap": "6m", "heartbeat_interval": "20s"}`
	const noHeartbeat = `"backend": {"max_event_gap": "6m"}`
	dir := writeFiles(t, map[string]string{
		"lb-silent.json":  `{"load_balancer": {}, ` + noHeartbeat + `}`,
		"lb-reset.json":   `{"load_balancer": {"tcp_reset_enabled": true}, ` + noHeartbeat + `}`,
		"lb-beats.json":   `{"load_balancer": {}, ` + heartbeat + `}`,
		"lb-raised.json":  `{"load_balancer": {"idle_timeout_in_minutes": 30}, ` + noHeartbeat + `}`,
		"appsvc.json":     `{"app_service": {}, ` + noHeartbeat + `}`,
		"agc-route.json":  `{"app_gateway_for_containers": {"route_timeout": "0s", "request_timeout": "30s"}, ` + heartbeat + `}`,
		"aoai.json":       `{"azure_openai": {}, ` + heartbeat + `}`,
		"aoai-async.json": `{"azure_openai": {"content_filter_mode": "Asynchronous_filter"}, ` + heartbeat + `}`,
	})
	tests := []struct {
		file                 string
		checkCode, proveCode int
		check, prove         string
	}{
		{"lb-silent.json", 1, 1, "error SSE401", "load_balancer dropped the stream silently: the upstream was silent for 1s (load_balancer idle_timeout_in_minutes)"},
		{"lb-reset.json", 1, 1, "error SSE401", "load_balancer cut the stream: the upstream was silent for 1s"},
		{"lb-beats.json", 0, 0, "", "ok: every event arrived as it was sent"},
		{"lb-raised.json", 0, 0, "", "ok: every event arrived as it was sent"},
		{"appsvc.json", 1, 1, "App Service's front end cuts a connection idle for 3m50s", "app_service cut the stream: the upstream was silent for 958ms (app_service front end)"},
		{"agc-route.json", 1, 1, "error SSE403", "app_gateway_for_containers cut the stream: the response ran for 125ms (route timeout)"},
		// A warning: the chunks are the filter's choice, not a failure.
		{"aoai.json", 0, 1, "warning SSE406", "azure_openai: buffer=1024; rules=SSE406"},
		{"aoai-async.json", 0, 0, "", "ok: every event arrived as it was sent"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(dir, tt.file)
			code, out, errOut := runCLI(t, "", "check-chain", p)
			if code != tt.checkCode || !strings.Contains(out+errOut, tt.check) {
				t.Errorf("check-chain: exit %d, want %d, output lacks %q:\n%s%s", code, tt.checkCode, tt.check, out, errOut)
			}
			code, out, errOut = runCLI(t, "", "prove", "--chain", p, "--time-scale", "240", "--events", "5", "--silence-after", "2")
			if code != tt.proveCode || !strings.Contains(strings.ReplaceAll(out+errOut, "\n  ", " "), tt.prove) {
				t.Errorf("prove --chain: exit %d, want %d, output lacks %q:\n%s%s", code, tt.proveCode, tt.prove, out, errOut)
			}
		})
	}
}
