package origin

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// readAll reads every item of a stream until it ends.
func readAll(t *testing.T, resp *http.Response) []sse.Received {
	t.Helper()
	r := sse.NewReader(resp.Body)
	var items []sse.Received
	for {
		it, err := r.Next()
		if err == io.EOF {
			return items
		}
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
}

// events reads a stream's events whole (no comments).
func events(t *testing.T, resp *http.Response) []struct{ typ, data string } {
	t.Helper()
	var out []struct{ typ, data string }
	for _, it := range readAll(t, resp) {
		if it.Event.Data != "" {
			out = append(out, struct{ typ, data string }{it.Event.Type, it.Event.Data})
		}
	}
	return out
}

func TestResponsesStream(t *testing.T) {
	for _, tt := range []struct {
		ending string
		last   string
		want   []string // the event types, in order
	}{
		{"", "response.completed", []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
			"response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
			"response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}},
		{EndIncomplete, "response.incomplete", nil},
		{EndError, "response.failed", nil},
		{EndNone, "response.output_text.delta", nil},
	} {
		t.Run(tt.last, func(t *testing.T) {
			url := serve(t, Config{Responses: true, Events: 3, Interval: 5 * time.Millisecond, Ending: tt.ending})
			resp := post(t, url, http.MethodPost, `{"model": "gpt-4.1", "input": "say three words", "stream": true}`)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			evs := events(t, resp)
			var types []string
			var text string
			var last int64
			for i, e := range evs {
				var d struct {
					Type         string `json:"type"`
					Seq          int    `json:"sequence_number"`
					Delta        string `json:"delta"`
					SentUnixNano int64  `json:"sent_unix_nano"`
					Response     *struct {
						Status            string            `json:"status"`
						Usage             *responsesUsage   `json:"usage"`
						IncompleteDetails map[string]string `json:"incomplete_details"`
					} `json:"response"`
				}
				if err := json.Unmarshal([]byte(e.data), &d); err != nil {
					t.Fatal(err)
				}
				// Named events whose data's type repeats the name, numbered.
				if d.Type != e.typ || d.Seq != i || d.SentUnixNano < last {
					t.Fatalf("event %d: %s %s", i, e.typ, e.data)
				}
				last = d.SentUnixNano
				types = append(types, d.Type)
				text += d.Delta
				if i == len(evs)-1 && tt.ending == "" && (d.Response.Status != "completed" || *d.Response.Usage != responsesUsage{InputTokens: 3, OutputTokens: 3, TotalTokens: 6}) {
					t.Errorf("final %s", e.data)
				}
				if i == len(evs)-1 && tt.ending == EndIncomplete && d.Response.IncompleteDetails["reason"] != "max_output_tokens" {
					t.Errorf("final %s", e.data)
				}
			}
			if types[len(types)-1] != tt.last || strings.Contains(strings.Join(types, " "), "[DONE]") || text != "Server-sent events arrive" {
				t.Fatalf("events %v, text %q", types, text)
			}
			if tt.want != nil && strings.Join(types, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("events %v, want %v", types, tt.want)
			}
		})
	}
}

func TestResponsesWholeAndRejects(t *testing.T) {
	url := serve(t, Config{Responses: true, Events: 2})
	resp := post(t, url, http.MethodPost, `{"input": [{"role": "user", "content": "hi"}]}`)
	var r struct {
		Object, Status string
		Output         []outputItem
		Usage          responsesUsage
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Object != "response" || r.Status != "completed" || r.Output[0].Content[0].Text != "Server-sent events" || r.Usage.TotalTokens != 3 {
		t.Fatalf("%+v", r)
	}
	for _, tt := range []struct{ method, body, want string }{
		{http.MethodGet, "", "responses take POST"},
		{http.MethodPost, `{"stream": true}`, "input is required"},
		{http.MethodPost, `nope`, "the body is not a Responses request"},
	} {
		resp := post(t, url, tt.method, tt.body)
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		if resp.StatusCode/100 != 4 || !strings.HasPrefix(e.Error.Message, tt.want) {
			t.Errorf("%s %s: %d %q", tt.method, tt.body, resp.StatusCode, e.Error.Message)
		}
	}
}

func TestMessagesStream(t *testing.T) {
	for _, tt := range []struct {
		name, ending, body string
		want               string
		stop               string
		out                int
	}{
		{"complete", "", `{"model": "claude", "max_tokens": 100, "messages": [{"role": "user", "content": "three words"}], "stream": true}`,
			"message_start content_block_start ping content_block_delta content_block_delta content_block_delta content_block_stop message_delta message_stop", "end_turn", 3},
		{"max_tokens stops it", "", `{"max_tokens": 2, "messages": [{"role": "user", "content": "hi"}], "stream": true}`,
			"message_start content_block_start ping content_block_delta content_block_delta content_block_stop message_delta message_stop", "max_tokens", 2},
		{"error", EndError, `{"max_tokens": 100, "messages": [{"role": "user", "content": "hi"}], "stream": true}`,
			"message_start content_block_start ping content_block_delta content_block_delta content_block_delta error", "", 0},
		{"no message_stop", EndNone, `{"max_tokens": 100, "messages": [{"role": "user", "content": "hi"}], "stream": true}`,
			"message_start content_block_start ping content_block_delta content_block_delta content_block_delta", "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, Config{Messages: true, Events: 3, Interval: 5 * time.Millisecond, Ending: tt.ending})
			var types []string
			for _, e := range events(t, post(t, url, http.MethodPost, tt.body)) {
				var d struct {
					Type  string `json:"type"`
					Delta struct {
						StopReason string `json:"stop_reason"`
					} `json:"delta"`
					Usage struct {
						OutputTokens int `json:"output_tokens"`
					} `json:"usage"`
					SentUnixNano int64 `json:"sent_unix_nano"`
				}
				if err := json.Unmarshal([]byte(e.data), &d); err != nil || d.Type != e.typ || d.SentUnixNano == 0 {
					t.Fatalf("%s %s: %v", e.typ, e.data, err)
				}
				if d.Type == "message_delta" && (d.Delta.StopReason != tt.stop || d.Usage.OutputTokens != tt.out) {
					t.Errorf("message_delta %s", e.data)
				}
				types = append(types, d.Type)
			}
			if got := strings.Join(types, " "); got != tt.want {
				t.Fatalf("events %s\nwant   %s", got, tt.want)
			}
		})
	}
	url := serve(t, Config{Messages: true, Events: 2})
	for _, tt := range []struct{ method, body, want string }{
		{http.MethodGet, "", "messages take POST"},
		{http.MethodPost, `{"messages": [{"role": "user", "content": "hi"}]}`, "max_tokens: field required"},
		{http.MethodPost, `{"max_tokens": 5}`, "messages: field required"},
	} {
		resp := post(t, url, tt.method, tt.body)
		var e struct {
			Type  string
			Error struct{ Type, Message string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		if resp.StatusCode/100 != 4 || e.Type != "error" || e.Error.Type != "invalid_request_error" || !strings.HasPrefix(e.Error.Message, tt.want) {
			t.Errorf("%s %s: %d %+v", tt.method, tt.body, resp.StatusCode, e)
		}
	}
}
