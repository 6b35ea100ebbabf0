package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// sseready probe against sseready backend --chat-completions: what a
// platform engineer runs against an Azure OpenAI deployment, on loopback.
func TestProbeChatCompletions(t *testing.T) {
	t.Setenv("SSEREADY_TEST_KEY", "k-not-checked")
	backend := start(t, "backend", "--listen", "127.0.0.1:0", "--chat-completions", "--events", "5", "--interval", "20ms")
	url := backend + "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
	streaming := `{"messages": [{"role": "user", "content": "five words"}], "stream": true, "stream_options": {"include_usage": true}}`
	key := []string{"--header-env", "api-key=SSEREADY_TEST_KEY"}

	code, out, errOut := runCLI(t, "", append([]string{"probe", "--format", "json", "--data", streaming, url}, key...)...)
	var rep struct {
		Outcome string `json:"outcome"`
		Done    bool   `json:"done"`
		Usage   *struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		} `json:"usage"`
		Events     []map[string]any   `json:"events"`
		GapMS      map[string]float64 `json:"gap_ms"`
		Coalescing struct {
			Events int `json:"events"`
		} `json:"coalescing"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s%s", code, err, out, errOut)
	}
	// role, 5 content chunks, finish, usage, [DONE]
	if code != 0 || rep.Outcome != "streamed" || !rep.Done || len(rep.Events) != 9 || rep.Coalescing.Events != 5 || len(rep.GapMS) != 3 || rep.GapMS["p95"] < rep.GapMS["p50"] ||
		rep.Usage == nil || rep.Usage.PromptTokens != 2 || rep.Usage.CompletionTokens != 5 || rep.Usage.TotalTokens != 7 {
		t.Fatalf("exit %d: %+v\n%s", code, rep, errOut)
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"text", []string{"--data", streaming}, 0,
			[]string{"9 events, 0 heartbeats, first after", "ended with data: [DONE]", "gaps between events: p50", "reads: 5 events in ",
				"usage: 2 prompt + 5 completion = 7 tokens", "outcome: streamed\n", "ok: the stream arrived as a stream"}},
		{"no stream asked: a JSON completion", []string{"--data", `{"messages": [{"role": "user", "content": "hi"}]}`}, 1,
			[]string{`Content-Type "application/json"`, "outcome: not_sse\n", `not ok: not_sse: Content-Type "application/json" is not text/event-stream`}},
		{"GET: refused", nil, 1,
			[]string{"status 405", "outcome: refused\n", "not ok: refused: status 405"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append(append(append([]string{"probe"}, tt.args...), key...), url)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			rest := out
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
