package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/loadgen"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

func loadChain(t *testing.T, o origin.Config, hops ...chainrun.Hop) string {
	t.Helper()
	c, err := chainrun.Start(o, hops, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.URL + "/"
}

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestLoadUsageErrorsNameTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"load"}, "give one URL"},
		{[]string{"load", "ftp://127.0.0.1/"}, "is not an http(s) URL"},
		{[]string{"load", "--streams", "500", "http://127.0.0.1/"}, "--streams 500 is over --max-streams 100"},
		{[]string{"load", "--streams", "0", "http://127.0.0.1/"}, "--streams must be 1 or more"},
		{[]string{"load", "--duration", "2m", "http://127.0.0.1/"}, "--duration 2m0s is over --max-duration 1m0s"},
		{[]string{"load", "--duration", "soon", "http://127.0.0.1/"}, `invalid value "soon" for flag -duration`},
		{[]string{"load", "--shard", "4/4", "http://127.0.0.1/"}, `--shard "4/4" is not i/n`},
		{[]string{"load", "--shard", "3/4", "--streams", "2", "http://127.0.0.1/"}, "--shard 3/4 has none of the 2 streams"},
		{[]string{"load", "--rate", "-1", "http://127.0.0.1/"}, "--rate cannot be negative"},
		{[]string{"load", "--format", "xml", "http://127.0.0.1/"}, "--format must be text or json"},
		{[]string{"load", "--header", "nocolon", "http://127.0.0.1/"}, `--header "nocolon" is not K:V`},
		{[]string{"load", "--header-env", "api-key=SSEREADY_TEST_UNSET_VAR", "http://127.0.0.1/"}, "--header-env api-key: the environment variable SSEREADY_TEST_UNSET_VAR"},
		{[]string{"load", "merge"}, "give the results to merge"},
		{[]string{"load", "merge", "/nonexistent/shard.json"}, "no such file"},
		{[]string{"load", "merge", writeTemp(t, "other.json", `{"events": 3}`)}, `other.json is not the result of sseready load --format json: it has no "shards"`},
		{[]string{"load", "merge", writeTemp(t, "policy.xml", `<policies />`)}, "policy.xml is not the result of sseready load --format json: it does not read as one (invalid character '<'"},
	} {
		code, out, errs := runArgs(tc.args...)
		if code != exitInput || out != "" || !strings.Contains(errs, tc.want) || strings.Contains(errs, "<nil>") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
	// Raised bounds are accepted (the run itself then fails to connect).
	if code, _, errs := runArgs("load", "--streams", "150", "--max-streams", "200", "--duration", "1s", "--headers-timeout", "1s", "http://127.0.0.1:1/"); code != exitFindings {
		t.Errorf("raised --max-streams: exit %d, %s", code, errs)
	}
}

func TestLoadJSONShape(t *testing.T) {
	url := loadChain(t, origin.Config{Events: 3, Interval: 50 * time.Millisecond})
	code, out, errs := runArgs("load", "--streams", "50", "--rate", "500", "--events", "3", "--format", "json", url)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if m["outcome"] != "streamed" || m["events"] != 150.0 {
		t.Fatalf("outcome %v, events %v", m["outcome"], m["events"])
	}
	streams, _ := m["streams"].(map[string]any)
	for _, k := range []string{"opened", "failed", "cut", "buffered"} {
		if _, ok := streams[k].(float64); !ok {
			t.Fatalf("streams.%s missing: %v", k, streams)
		}
	}
	if _, ok := m["events_per_s"].(float64); !ok {
		t.Fatal("events_per_s missing")
	}
	for _, k := range []string{"latency_ms", "first_event_ms", "gap_ms"} {
		q, _ := m[k].(map[string]any)
		for _, p := range []string{"p50", "p90", "p99", "max"} {
			if _, ok := q[p].(float64); !ok {
				t.Fatalf("%s.%s missing: %v", k, p, m[k])
			}
		}
	}
	if e, ok := m["errors"].(map[string]any); !ok || len(e) != 0 {
		t.Fatalf("errors %v, want {}", m["errors"])
	}

	// A refusing tier: nothing measured is null, errors by kind, exit 1.
	refusing := loadChain(t, origin.Config{Events: 3}, chainrun.Hop{Name: "apim", Config: gateway.Config{APIM: &gateway.APIM{SKU: "Consumption_0",
		Policies: []gateway.Policy{{XML: []byte(`<policies><inbound /><backend><forward-request buffer-response="false" /></backend><outbound /></policies>`)}}}}})
	code, out, _ = runArgs("load", "--streams", "20", "--rate", "500", "--format", "json", refusing)
	m = nil
	if err := json.Unmarshal([]byte(out), &m); err != nil || code != exitFindings {
		t.Fatalf("exit %d, %v", code, err)
	}
	if m["outcome"] != "refused" || m["latency_ms"] != nil || m["first_event_ms"] != nil || m["gap_ms"] != nil {
		t.Fatalf("outcome %v, latency %v, first event %v, gap %v", m["outcome"], m["latency_ms"], m["first_event_ms"], m["gap_ms"])
	}
	if e, _ := m["errors"].(map[string]any); e["status_503"] != 20.0 {
		t.Fatalf("errors %v, want status_503: 20", m["errors"])
	}
}

// Shards run as separate invocations of the CLI side by side, and their
// merge adds up to every stream once with exactly the merged histograms.
func TestLoadShardsAndMerge(t *testing.T) {
	// Events apart and a latency bound both widened on a busy machine
	// (testslack): four shards of 100 streams side by side under the race
	// detector must still stream, or a shard exits 1 for a verdict this
	// test is not about.
	url := loadChain(t, origin.Config{Events: 5, Interval: testslack.Bound(40 * time.Millisecond)})
	maxLatency := testslack.Bound(500 * time.Millisecond).String()
	dir := t.TempDir()
	const n = 4
	files := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		files[i] = filepath.Join(dir, "shard"+string(rune('0'+i))+".json")
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, out, errs := runArgs("load", "--streams", "100", "--rate", "1000", "--events", "5", "--shard", string(rune('0'+i))+"/4", "--max-latency", maxLatency, "--format", "json", url)
			if code != exitOK {
				var r loadgen.Result
				_ = json.Unmarshal([]byte(out), &r)
				t.Errorf("shard %d: exit %d, outcome %s, streams %+v, errors %v: %s", i, code, r.Outcome, r.Streams, r.Errors, errs)
			}
			if err := os.WriteFile(files[i], []byte(out), 0o600); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	report := filepath.Join(dir, "merged.html")
	code, out, errs := runArgs(append([]string{"load", "merge", "--format", "json", "--report", report}, files...)...)
	if code != exitOK || errs != "" {
		t.Fatalf("merge: exit %d, %s", code, errs)
	}
	var merged loadgen.Result
	if err := json.Unmarshal([]byte(out), &merged); err != nil {
		t.Fatal(err)
	}
	if merged.Streams.Planned != 100 || merged.Streams.Opened != 100 || merged.Events != 500 || len(merged.Shards) != n {
		t.Fatalf("merged streams %+v, %d events, shards %v", merged.Streams, merged.Events, merged.Shards)
	}
	// The merged quantiles are those of one histogram holding every
	// shard's values: bucket counts added, shard by shard.
	// So are the first content and content rates of each protocol.
	one, first, rate := loadgen.NewHist(), loadgen.NewHist(), loadgen.NewHist()
	var opened, content int64
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var r loadgen.Result
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if err := one.Merge(r.Histograms.Latency); err != nil {
			t.Fatal(err)
		}
		p := r.Protocols[probe.PlainSSE]
		if err := first.Merge(p.Histograms.FirstContent); err != nil {
			t.Fatal(err)
		}
		if err := rate.Merge(p.Histograms.ContentRate); err != nil {
			t.Fatal(err)
		}
		opened += r.Streams.Opened
		content += p.ContentEvents
	}
	if *merged.LatencyMS != *one.Quantiles() || merged.Histograms.Latency.Count() != 500 || opened != 100 {
		t.Fatalf("merged latency %+v, one histogram's %+v", *merged.LatencyMS, *one.Quantiles())
	}
	p := merged.Protocols[probe.PlainSSE]
	if p == nil || p.Streams != 100 || p.ContentEvents != 500 || content != 500 || *p.FirstContentMS != *first.Quantiles() || *p.ContentPerS != *rate.Rates() ||
		first.Count() != 100 || merged.ContentEncodings["identity"] != 100 {
		t.Fatalf("merged protocols %+v, content encodings %v", merged.Protocols, merged.ContentEncodings)
	}
	if st, err := os.Stat(report); err != nil || st.Size() == 0 {
		t.Fatalf("the merged report: %v", err)
	}

	// A missing shard is a note; a shard twice is refused.
	code, _, errs = runArgs("load", "merge", files[0], files[1])
	if code != exitOK || !strings.Contains(errs, "2 of 4 shards are missing, the first 2/4") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = runArgs("load", "merge", files[0], files[0])
	if code != exitInput || !strings.Contains(errs, "shard 0/4 is given twice") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestLoadAnnouncesOtherHosts(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "::1": true, "localhost": true, "api.localhost": true,
		"10.0.0.1": false, "example.com": false, "127.0.0.1.nip.io": false} {
		if isLoopback(host) != want {
			t.Errorf("isLoopback(%q) = %v", host, !want)
		}
	}
	o := loadgen.Options{URL: "https://user:pw@api.example.com/chat?key=secret", Streams: 1000, Rate: 50, Duration: time.Minute,
		Events: 20, Shard: loadgen.Shard{Index: 1, Count: 4}}
	o.Request.Method = "POST"
	got := describeLoad(o)
	want := "opening 1000 streams (this shard, 1/4: 250) at 50 per second for 1m0s, each until 20 content events, POST https://api.example.com/chat"
	if got != want {
		t.Fatalf("describeLoad:\n got %s\nwant %s", got, want)
	}
	o.Warmup, o.Events, o.MCP = 10*time.Second, 0, &probe.MCPCall{Tool: "count"}
	got = describeLoad(o)
	want = "opening 1000 streams (this shard, 1/4: 250) at 50 per second for 1m0s (the first 10s a warmup), each one MCP session calling count at https://api.example.com/chat"
	if got != want {
		t.Fatalf("describeLoad:\n got %s\nwant %s", got, want)
	}
}

// Not a terminal: a file gets no progress line, only the result.
func TestLoadQuietWhenNotATerminal(t *testing.T) {
	url := loadChain(t, origin.Config{Events: 30, Interval: 50 * time.Millisecond})
	errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	var out bytes.Buffer
	code := run([]string{"load", "--streams", "5", "--duration", "1500ms", url}, strings.NewReader(""), &out, errf)
	b, _ := os.ReadFile(errf.Name())
	if code != exitOK || len(b) != 0 || !strings.Contains(out.String(), "ok: streamed") {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, b, out.String())
	}
}

// writeTemp writes data to a file called name in a test's temporary
// directory and returns its path.
func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
