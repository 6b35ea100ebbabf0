package origin

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// read connects to url (with an optional Last-Event-ID) and returns the
// response and every item until the stream ends.
func read(t *testing.T, url, lastID string) (*http.Response, []sse.Received) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := sse.NewReader(resp.Body)
	var items []sse.Received
	for {
		it, err := r.Next()
		if err == io.EOF {
			return resp, items
		}
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
}

func serve(t *testing.T, cfg Config) string {
	t.Helper()
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestEventsHeadersAndPayload(t *testing.T) {
	url := serve(t, Config{Events: 5, Interval: 5 * time.Millisecond})
	resp, items := read(t, url, "")
	for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"} {
		// Connection may be left out (HTTP/2 has none).
		if got := resp.Header.Get(k); got != v && (k != "Connection" || got != "") {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if len(items) != 5 {
		t.Fatalf("%d items, want 5 events", len(items))
	}
	var last int64
	for i, it := range items {
		var p Payload
		if err := json.Unmarshal([]byte(it.Event.Data), &p); err != nil {
			t.Fatal(err)
		}
		if p.Seq != i+1 || it.Event.LastEventID != strconv.Itoa(i+1) || p.SentUnixNano <= last {
			t.Errorf("event %d: seq %d id %q sent %d after %d", i, p.Seq, it.Event.LastEventID, p.SentUnixNano, last)
		}
		last = p.SentUnixNano
	}
}

func TestResumeFromLastEventID(t *testing.T) {
	url := serve(t, Config{Events: 6})
	_, items := read(t, url, "4")
	if len(items) != 2 || items[0].Event.LastEventID != "5" || items[1].Event.LastEventID != "6" {
		t.Fatalf("resumed items %v", items)
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Last-Event-ID", "abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bogus Last-Event-ID gets %d", resp.StatusCode)
	}
}

func TestHeartbeatsFillASilence(t *testing.T) {
	url := serve(t, Config{Events: 2, Interval: time.Millisecond, Heartbeat: 40 * time.Millisecond, SilenceAfter: 1, Silence: 300 * time.Millisecond})
	_, items := read(t, url, "")
	var kinds []string
	for _, it := range items {
		if it.Kind == sse.KindComment {
			kinds = append(kinds, "C")
		} else {
			kinds = append(kinds, "E")
		}
	}
	got := strings.Join(kinds, "")
	// Event 1, at least five heartbeats in the 300 ms silence, event 2.
	if !strings.HasPrefix(got, "ECCCCC") || !strings.HasSuffix(got, "E") || strings.Count(got, "E") != 2 {
		t.Fatalf("items %s", got)
	}
	// Measured on the origin's clock (the events' sent_unix_nano): on the
	// client's, a late read of event 1 shortens the gap.
	var first, last Payload
	if err := json.Unmarshal([]byte(items[0].Event.Data), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(items[len(items)-1].Event.Data), &last); err != nil {
		t.Fatal(err)
	}
	if gap := time.Duration(last.SentUnixNano - first.SentUnixNano); gap < 300*time.Millisecond {
		t.Fatalf("the silence lasted %v, want 300ms", gap)
	}
}

func TestOmitHeader(t *testing.T) {
	url := serve(t, Config{Events: 1, OmitHeaders: []string{"cache-control"}})
	resp, items := read(t, url, "")
	if resp.Header.Get("Cache-Control") != "" || len(items) != 1 {
		t.Fatalf("Cache-Control %q, %d items", resp.Header.Get("Cache-Control"), len(items))
	}
}

func TestAllowOrigin(t *testing.T) {
	for _, allow := range []string{"", "*", "http://127.0.0.1:8080"} {
		url := serve(t, Config{Events: 1, AllowOrigin: allow})
		resp, _ := read(t, url, "")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != allow {
			t.Errorf("AllowOrigin %q: header %q", allow, got)
		}
	}
}

func TestValidate(t *testing.T) {
	for cfg, want := range map[*Config]string{
		{Events: -1}:                                   "events must be 0",
		{Interval: -time.Second}:                       "cannot be negative",
		{SilenceAfter: 2}:                              "silence-after needs a silence duration",
		{OmitHeaders: []string{"X-Custom"}}:            `"X-Custom" is not one of the headers the origin sends: Cache-Control, Connection, Content-Type, X-Accel-Buffering`,
		{AllowOrigin: "http://127.0.0.1:8080/"}:        `allow-origin "http://127.0.0.1:8080/" must be * or an origin`,
		{AllowOrigin: "127.0.0.1:8080"}:                `must be * or an origin`,
		{ChatCompletions: true, MCP: true}:             "one dialect at a time, not chat-completions and mcp",
		{Ending: EndNone}:                              "a plain stream has no final event",
		{ChatCompletions: true, Ending: EndIncomplete}: `ending "incomplete" is not one the chat-completions dialect has`,
		{Messages: true, Ending: EndIncomplete}:        `ending "incomplete" is not one the messages dialect has`,
		{Responses: true, Ending: "later"}:             `ending "later" is not final, error, incomplete or none`,
		{Compress: "zstd"}:                             `compress "zstd" is not gzip, br or deflate`,
		{Compress: "br", CompressMode: "lazy"}:         `compress mode "lazy" is not flush or whole`,
		{CompressMode: "whole"}:                        "a compress mode needs a coding",
		{FirstEventDelay: -time.Second}:                "the first event's delay cannot be negative",
	} {
		if _, err := New(*cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", *cfg, err, want)
		}
	}
}
