package origin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// DefaultChatTokens is how many content chunks a chat completion carries
// when Config.Events is 0.
const DefaultChatTokens = 12

// The chat completions wire format, as OpenAI's and Azure OpenAI's API
// references give it (FACTS.md, "Chat completions streams"): a POST with a
// JSON body; "stream": true answers with data-only server-sent events, one
// chat.completion.chunk object each, the first with the role, then one
// per content delta, then one with finish_reason, then (with
// stream_options.include_usage) one with empty choices and the usage, and
// finally data: [DONE]. Each chunk here also carries sent_unix_nano and
// seq, which clients ignore and the probe reads.

type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream        *bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type chatDelta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

type chunkChoice struct {
	Index        int       `json:"index"`
	Delta        chatDelta `json:"delta"`
	FinishReason *string   `json:"finish_reason"`
}

// ChatChunk is the JSON data of each event of a streamed chat completion.
type ChatChunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	// Usage is absent without include_usage, null on every chunk but the
	// usage chunk with it.
	Usage        json.RawMessage `json:"usage,omitempty"`
	Seq          int             `json:"seq"`
	SentUnixNano int64           `json:"sent_unix_nano"`
	Pad          string          `json:"pad,omitempty"`
}

// chatWords are the completion's tokens, in turn.
var chatWords = strings.Fields("Server-sent events arrive one by one when every hop on the path relays them as they are written")

func chatError(w http.ResponseWriter, status int, param, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var p any
	if param != "" {
		p = param
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": p, "code": nil}})
}

// readChatRequest reads and checks the request, or answers it with a 4xx.
func readChatRequest(w http.ResponseWriter, r *http.Request) (chatRequest, bool) {
	var req chatRequest
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		chatError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("chat completions take POST with a JSON body, not %s", r.Method))
		return req, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		chatError(w, http.StatusBadRequest, "", "the request body could not be read: "+err.Error())
		return req, false
	}
	if err := json.Unmarshal(body, &req); err != nil {
		chatError(w, http.StatusBadRequest, "", `the body is not a chat completions request (JSON such as {"messages": [{"role": "user", "content": "hi"}], "stream": true}): `+err.Error())
		return req, false
	}
	switch {
	case len(req.Messages) == 0:
		chatError(w, http.StatusBadRequest, "messages", "messages is required: give at least one message")
		return req, false
	case req.StreamOptions != nil && (req.Stream == nil || !*req.Stream):
		chatError(w, http.StatusBadRequest, "stream_options", `stream_options is only allowed with "stream": true`)
		return req, false
	}
	return req, true
}

// serveChat answers one chat completions request.
func (h *Handler) serveChat(w http.ResponseWriter, r *http.Request, f http.Flusher) {
	req, ok := readChatRequest(w, r)
	if !ok {
		return
	}
	tokens := h.tokens()
	model := req.Model
	if model == "" {
		model = "sseready-test"
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += promptTokens(m.Content)
	}
	usage := chatUsage{PromptTokens: prompt, CompletionTokens: tokens, TotalTokens: prompt + tokens}
	created := h.now().Unix()
	id := fmt.Sprintf("chatcmpl-sseready-%d", h.now().UnixNano())
	if req.Stream == nil || !*req.Stream {
		h.answerWhole(w, r, tokens, id, created, model, usage)
		return
	}
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	h.writeStreamHeaders(w, f)
	sw := sse.NewWriter(w)
	pad := strings.Repeat("x", h.cfg.Padding)
	seq := 0
	send := func(choices []chunkChoice, u *chatUsage) bool {
		seq++
		c := ChatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: choices, Seq: seq, Pad: pad}
		if includeUsage {
			c.Usage = json.RawMessage("null")
			if u != nil {
				c.Usage, _ = json.Marshal(u)
			}
		}
		c.SentUnixNano = h.now().UnixNano()
		data, _ := json.Marshal(c)
		if err := sw.Event("", "", string(data)); err != nil {
			return false
		}
		f.Flush()
		return r.Context().Err() == nil
	}
	if !h.firstEventDelay(r, sw, f) {
		return
	}
	empty := ""
	if !send([]chunkChoice{{Delta: chatDelta{Role: "assistant", Content: &empty}}}, nil) {
		return
	}
	for i := 1; i <= tokens; i++ {
		if i > 1 && !h.waitWithHeartbeats(r, sw, f, h.gapBefore(i)) {
			return
		}
		w := word(i)
		if !send([]chunkChoice{{Delta: chatDelta{Content: &w}}}, nil) {
			return
		}
	}
	if h.cfg.Ending == EndError {
		// An error object in place of the next chunk, and the end: what
		// the OpenAI SDK raises on (FACTS.md).
		data, _ := json.Marshal(map[string]any{"error": map[string]any{"message": "The server had an error while processing your request (the test origin's Ending error)",
			"type": "server_error", "param": nil, "code": nil}, "sent_unix_nano": h.now().UnixNano()})
		if sw.Event("", "", string(data)) == nil {
			f.Flush()
		}
		return
	}
	stop := "stop"
	if !send([]chunkChoice{{Delta: chatDelta{}, FinishReason: &stop}}, nil) {
		return
	}
	if includeUsage && !send([]chunkChoice{}, &usage) {
		return
	}
	if h.cfg.Ending == EndNone {
		return
	}
	if sw.Event("", "", "[DONE]") == nil {
		f.Flush()
	}
}

// gapBefore is the wait before content chunk i (from 2): the interval,
// and the silence after chunk SilenceAfter.
func (h *Handler) gapBefore(i int) time.Duration {
	d := h.cfg.Interval
	if h.cfg.SilenceAfter > 0 && i-1 == h.cfg.SilenceAfter {
		d += h.cfg.Silence
	}
	return d
}

// answerWhole answers a request without "stream": true as the API does:
// one JSON completion, once all of it is generated (here: after the time
// the stream would take).
func (h *Handler) answerWhole(w http.ResponseWriter, r *http.Request, tokens int, id string, created int64, model string, usage chatUsage) {
	if !h.wholeWait(r, tokens) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": id, "object": "chat.completion", "created": created, "model": model,
		"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": strings.TrimSpace(completion(tokens))}, "finish_reason": "stop"}},
		"usage":   usage,
	})
}
