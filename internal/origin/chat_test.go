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

func post(t *testing.T, url, method, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url+"/openai/deployments/gpt/chat/completions?api-version=2024-10-21", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// decoded is a chunk as a client decodes it.
type decoded struct {
	Object  string `json:"object"`
	Choices []struct {
		Delta struct {
			Role    string  `json:"role"`
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage        json.RawMessage `json:"usage"`
	SentUnixNano int64           `json:"sent_unix_nano"`
}

func TestChatCompletionsStream(t *testing.T) {
	url := serve(t, Config{ChatCompletions: true, Events: 3, Interval: 5 * time.Millisecond})
	for _, tt := range []struct {
		name  string
		body  string
		usage bool
	}{
		{"with the usage chunk", `{"model": "gpt-4o", "messages": [{"role": "user", "content": "say three words"}], "stream": true, "stream_options": {"include_usage": true}}`, true},
		{"without it", `{"messages": [{"role": "user", "content": "hi"}], "stream": true}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, url, http.MethodPost, tt.body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			r := sse.NewReader(resp.Body)
			var datas []string
			for {
				it, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if it.Event.LastEventID != "" || it.Event.Type != "message" {
					t.Errorf("an OpenAI stream is data-only: id %q, type %q", it.Event.LastEventID, it.Event.Type)
				}
				datas = append(datas, it.Event.Data)
			}
			// role, 3 content chunks, finish, [usage], [DONE]
			want := 6
			if tt.usage {
				want = 7
			}
			if len(datas) != want || datas[len(datas)-1] != "[DONE]" {
				t.Fatalf("%d events, the last %q: want %d ending in [DONE]", len(datas), datas[len(datas)-1], want)
			}
			var text string
			var last int64
			for i, d := range datas[:len(datas)-1] {
				var c decoded
				if err := json.Unmarshal([]byte(d), &c); err != nil {
					t.Fatal(err)
				}
				if c.Object != "chat.completion.chunk" || c.SentUnixNano < last {
					t.Fatalf("chunk %d: %s", i, d)
				}
				last = c.SentUnixNano
				if (c.Usage != nil) != tt.usage {
					t.Errorf("chunk %d: usage %s, want present %v", i, c.Usage, tt.usage)
				}
				switch {
				case i == 0 && c.Choices[0].Delta.Role != "assistant":
					t.Errorf("the first chunk has no role: %s", d)
				case tt.usage && i == len(datas)-2:
					var u chatUsage
					if len(c.Choices) != 0 || json.Unmarshal(c.Usage, &u) != nil || u.CompletionTokens != 3 || u.PromptTokens != 3 || u.TotalTokens != 6 {
						t.Errorf("usage chunk %s", d)
					}
				case len(c.Choices) == 1 && c.Choices[0].Delta.Content != nil:
					text += *c.Choices[0].Delta.Content
				case len(c.Choices) == 1 && c.Choices[0].FinishReason != nil && *c.Choices[0].FinishReason != "stop":
					t.Errorf("finish reason %q", *c.Choices[0].FinishReason)
				}
			}
			if text != "Server-sent events arrive" {
				t.Errorf("content %q", text)
			}
		})
	}
}

// Ending error: the content chunks, then an error object in place of
// the finish chunk, and the connection ends without data: [DONE].
func TestChatCompletionsErrorEnding(t *testing.T) {
	url := serve(t, Config{ChatCompletions: true, Events: 2, Interval: 5 * time.Millisecond, Ending: EndError})
	resp := post(t, url, http.MethodPost, `{"messages": [{"role": "user", "content": "hi"}], "stream": true}`)
	r := sse.NewReader(resp.Body)
	var datas []string
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		datas = append(datas, it.Event.Data)
	}
	if len(datas) != 4 { // role, 2 content chunks, the error
		t.Fatalf("%d events: %q", len(datas), datas)
	}
	var last struct {
		Error *struct {
			Message, Type string
			Code          any
		} `json:"error"`
		Choices      []any `json:"choices"`
		SentUnixNano int64 `json:"sent_unix_nano"`
	}
	if err := json.Unmarshal([]byte(datas[3]), &last); err != nil || last.Error == nil || last.Error.Type != "server_error" ||
		last.Error.Message == "" || last.Choices != nil || last.SentUnixNano == 0 {
		t.Errorf("the last event %s: want an error object in place of a chunk", datas[3])
	}
}

func TestChatCompletionsWhole(t *testing.T) {
	url := serve(t, Config{ChatCompletions: true, Events: 2, Interval: 5 * time.Millisecond})
	resp := post(t, url, http.MethodPost, `{"messages": [{"role": "user", "content": "hi"}]}`)
	var c struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
		Usage chatUsage `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || c.Object != "chat.completion" ||
		len(c.Choices) != 1 || c.Choices[0].Message.Content != "Server-sent events" || c.Usage.TotalTokens != 3 {
		t.Fatalf("status %d %q: %+v", resp.StatusCode, resp.Header.Get("Content-Type"), c)
	}
}

func TestChatCompletionsRejects(t *testing.T) {
	url := serve(t, Config{ChatCompletions: true, Events: 2})
	for _, tt := range []struct {
		method, body string
		status       int
		want         string
	}{
		{http.MethodGet, "", http.StatusMethodNotAllowed, "chat completions take POST with a JSON body, not GET"},
		{http.MethodPost, "stream please", http.StatusBadRequest, "the body is not a chat completions request"},
		{http.MethodPost, `{"stream": "yes", "messages": [{"role": "user", "content": "hi"}]}`, http.StatusBadRequest, "the body is not a chat completions request"},
		{http.MethodPost, `{"stream": true}`, http.StatusBadRequest, "messages is required"},
		{http.MethodPost, `{"messages": [{"role": "user", "content": "hi"}], "stream_options": {"include_usage": true}}`, http.StatusBadRequest, `stream_options is only allowed with "stream": true`},
	} {
		resp := post(t, url, tt.method, tt.body)
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.status || !strings.HasPrefix(e.Error.Message, tt.want) {
			t.Errorf("%s %q: %d %q, want %d %q", tt.method, tt.body, resp.StatusCode, e.Error.Message, tt.status, tt.want)
		}
		if tt.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "POST" {
			t.Errorf("405 without Allow: POST")
		}
	}
}
