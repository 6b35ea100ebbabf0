package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var listening = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// start runs a serving command until the test ends and returns its URL.
func start(t *testing.T, args ...string) string {
	t.Helper()
	u, _ := startLogged(t, args...)
	return u
}

// startLogged is start, with what the command writes to stderr.
func startLogged(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- runContext(ctx, args, nil, stderr, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("%s exited %d: %s", args[0], code, stderr.String())
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%s did not stop", args[0])
		}
	})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr
		}
		select {
		case code := <-done:
			t.Fatalf("%s exited %d: %s", args[0], code, stderr.String())
		default:
		}
	}
	t.Fatalf("%s did not start: %s", args[0], stderr.String())
	return "", nil
}

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBackendGatewayProbe(t *testing.T) {
	backend := start(t, "backend", "--listen", "127.0.0.1:0", "--events", "4", "--interval", "30ms")
	good := writeFile(t, "good.xml", `<policies><backend><forward-request timeout="60" buffer-response="false" /></backend></policies>`)
	bad := writeFile(t, "bad.xml", `<policies><backend><forward-request timeout="60" /></backend></policies>`)
	settings := writeFile(t, "appgw.json", `{"response_buffering_enabled": false, "request_buffering_enabled": true, "request_timeout": 40}`)
	apimGood := start(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", backend, "--apim-policy", good, "--apim-sku", "StandardV2_1")
	appgw := start(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", apimGood, "--appgw-settings", settings)
	apimBad := start(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", backend, "--apim-policy", bad)

	// Through App Gateway and APIM with sseready's settings: a stream.
	code, stdout, stderr := runCLI(t, "", "probe", "--format", "json", "--events", "4", appgw)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"outcome", "fault", "ok", "error", "status", "content_type", "headers", "retry_ms", "events", "headers_ms", "first_event_ms", "first_content_ms",
		"gap_ms", "coalescing", "done", "usage", "duration_ms", "cut", "buffering_suspected"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("JSON has no %q", k)
		}
	}
	events, ok := rep["events"].([]any)
	if !ok || rep["ok"] != true || rep["outcome"] != "streamed" || rep["fault"] != nil || len(events) != 4 {
		t.Fatalf("report %v", rep)
	}
	for _, k := range []string{"type", "data", "last_event_id", "arrival_ms", "latency_ms", "read"} {
		if _, ok := events[0].(map[string]any)[k]; !ok {
			t.Errorf("event JSON has no %q", k)
		}
	}

	// Through APIM with buffer-response missing: 4 small events in one
	// 8 KB unit, held to the end; exit 1.
	code, stdout, _ = runCLI(t, "", "probe", "--events", "4", "--max-latency", "50ms", apimBad)
	if code != 1 || !strings.Contains(stdout, "outcome: held (released_at_end after") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
}

func TestServeUsageErrors(t *testing.T) {
	p := writeFile(t, "p.xml", `<policies><backend><forward-request buffer-response="false" /></backend></policies>`)
	s := writeFile(t, "s.json", `{"request_timeout": 0}`)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"backend", "--events", "-1"}, "events must be 0 (no end) or more"},
		{[]string{"backend", "--omit-header", "X-Nope"}, `"X-Nope" is not one of the headers`},
		{[]string{"gateway", "--apim-policy", p}, "--upstream must be an http(s) URL"},
		{[]string{"gateway", "--upstream", "http://127.0.0.1:1"}, "give --apim-policy FILE or --appgw-settings FILE"},
		{[]string{"gateway", "--upstream", "http://127.0.0.1:1", "--apim-policy", p, "--appgw-settings", s}, "not both"},
		{[]string{"gateway", "--upstream", "http://127.0.0.1:1", "--appgw-settings", s}, "request_timeout: 0 is outside 1 to 86400 seconds"},
		{[]string{"gateway", "--upstream", "http://127.0.0.1:1", "--apim-policy", p, "--apim-sku", "Gold_1"}, "is not an API Management SKU"},
		{[]string{"probe"}, "give one URL"},
		{[]string{"probe", "--header", "nocolon", "http://127.0.0.1:1"}, `--header "nocolon" is not K:V`},
	} {
		code, _, stderr := runCLI(t, "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestGatewayHelpListsAssumptions(t *testing.T) {
	code, _, stderr := runCLI(t, "", "gateway", "--help")
	if code != 0 || !strings.Contains(stderr, "Application Gateway's response buffer size is not documented") || !strings.Contains(stderr, "-time-scale") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
}

// An https origin signed by a private CA streams through a gateway told to
// trust that CA, and fails at the gateway (502) when it is not.
func TestGatewayUpstreamCA(t *testing.T) {
	h, err := origin.New(origin.Config{Events: 2, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(h)
	t.Cleanup(ts.Close)
	ca := writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})))
	policy := writeFile(t, "p.xml", `<policies><backend><forward-request buffer-response="false" /></backend></policies>`)

	trusted := start(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", ts.URL, "--upstream-ca", ca, "--apim-policy", policy)
	if code, stdout, stderr := runCLI(t, "", "probe", "--events", "2", trusted); code != 0 {
		t.Fatalf("through a gateway that trusts the CA: exit %d:\n%s%s", code, stdout, stderr)
	}
	untrusted := start(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", ts.URL, "--apim-policy", policy)
	code, stdout, _ := runCLI(t, "", "probe", "--events", "2", untrusted)
	if code != 1 || !strings.Contains(stdout, "502") {
		t.Fatalf("through a gateway that does not trust the CA: exit %d:\n%s", code, stdout)
	}

	notPEM := writeFile(t, "ca.txt", "not a certificate")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--upstream", ts.URL, "--upstream-ca", notPEM}, "no PEM certificate in the file"},
		{[]string{"--upstream", ts.URL, "--upstream-ca", filepath.Join(t.TempDir(), "missing.pem")}, "--upstream-ca: open"},
		{[]string{"--upstream", "http://127.0.0.1:1", "--upstream-ca", ca}, "--upstream-ca is for an https --upstream"},
	} {
		args := append([]string{"gateway", "--apim-policy", policy}, tt.args...)
		code, _, stderr := runCLI(t, "", args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}

// Policies at several scopes compose as APIM composes them: an API policy
// that inherits its <backend> streams when the global policy streams.
func TestGatewayPolicyScopes(t *testing.T) {
	backend := start(t, "backend", "--listen", "127.0.0.1:0", "--events", "3", "--interval", "20ms")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	global := write("global.xml", `<policies><inbound /><backend><forward-request buffer-response="false" /></backend><outbound /><on-error /></policies>`)
	api := write("api.xml", `<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>`)

	composed := start(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", backend, "--apim-policy", "global="+global, "--apim-policy", api)
	code, stdout, stderr := runCLI(t, "", "probe", "--format", "json", "--events", "3", composed)
	if code != 0 || !strings.Contains(stdout, `"X-Sseready-Gateway": "stream"`) {
		t.Fatalf("global + API: exit %d:\n%s%s", code, stdout, stderr)
	}
	alone := start(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", backend, "--apim-policy", "api="+api)
	code, stdout, _ = runCLI(t, "", "probe", "--format", "json", "--events", "3", alone)
	if code != 1 || !strings.Contains(stdout, `"X-Sseready-Gateway": "buffer=8192; rules=SSE102"`) {
		t.Fatalf("API alone: exit %d:\n%s", code, stdout)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--apim-policy", "tenant=" + api}, `unknown scope "tenant"`},
		{[]string{"--apim-policy", api, "--apim-policy", "api=" + api}, "are both at api scope: a request path runs one policy per scope"},
		{[]string{"--apim-policy", filepath.Join(dir, "none.xml")}, "--apim-policy: open"},
	} {
		args := append([]string{"gateway", "--upstream", backend}, tt.args...)
		code, _, stderr := runCLI(t, "", args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}
