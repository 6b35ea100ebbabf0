package origin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// The Anthropic Messages API wire format (FACTS.md, "Added with issue
// 17"): a POST with a JSON body (model, max_tokens, messages); "stream":
// true answers with named events: message_start, content_block_start, a
// ping, one content_block_delta (text_delta) per token,
// content_block_stop, message_delta (stop_reason, output tokens) and
// last message_stop; an error event may end it instead. Each event here
// also carries sent_unix_nano.

type messagesRequest struct {
	Model     string `json:"model"`
	MaxTokens int    `json:"max_tokens"`
	Messages  []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream *bool `json:"stream"`
}

// invalidRequest answers with Anthropic's error shape, an
// invalid_request_error.
func invalidRequest(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "error", "error": map[string]string{"type": "invalid_request_error", "message": msg}})
}

func readMessagesRequest(w http.ResponseWriter, r *http.Request) (messagesRequest, bool) {
	var req messagesRequest
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		invalidRequest(w, http.StatusMethodNotAllowed, fmt.Sprintf("messages take POST with a JSON body, not %s", r.Method))
		return req, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	switch {
	case err != nil:
		invalidRequest(w, http.StatusBadRequest,
			`the body is not a Messages request (JSON such as {"max_tokens": 256, "messages": [{"role": "user", "content": "hi"}], "stream": true}): `+err.Error())
	case len(req.Messages) == 0:
		invalidRequest(w, http.StatusBadRequest, "messages: field required")
	case req.MaxTokens < 1:
		invalidRequest(w, http.StatusBadRequest, "max_tokens: field required, 1 or more")
	default:
		return req, true
	}
	return req, false
}

// serveMessages answers one Messages API request. A max_tokens below the
// origin's token count stops the message there (stop_reason max_tokens).
func (h *Handler) serveMessages(w http.ResponseWriter, r *http.Request, f http.Flusher) {
	req, ok := readMessagesRequest(w, r)
	if !ok {
		return
	}
	tokens, stop := h.tokens(), "end_turn"
	if req.MaxTokens < tokens {
		tokens, stop = req.MaxTokens, "max_tokens"
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += promptTokens(m.Content)
	}
	model := req.Model
	if model == "" {
		model = "sseready-test"
	}
	id := fmt.Sprintf("msg_sseready_%d", h.now().UnixNano())
	if req.Stream == nil || !*req.Stream {
		if h.wholeWait(r, tokens) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "type": "message", "role": "assistant", "model": model,
				"content": []map[string]string{{"type": "text", "text": completion(tokens)}}, "stop_reason": stop, "stop_sequence": nil,
				"usage": map[string]int{"input_tokens": prompt, "output_tokens": tokens}})
		}
		return
	}
	h.writeStreamHeaders(w, f)
	s := h.sender(w, r, f)
	start := map[string]any{"id": id, "type": "message", "role": "assistant", "content": []any{}, "model": model, "stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]int{"input_tokens": prompt, "output_tokens": 1}}
	if !s.firstDelay() || !s.send("message_start", map[string]any{"type": "message_start", "message": start}) ||
		!s.send("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]string{"type": "text", "text": ""}}) ||
		!s.send("ping", map[string]string{"type": "ping"}) {
		return
	}
	for i := 1; i <= tokens; i++ {
		delta := map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]string{"type": "text_delta", "text": word(i)}}
		if (i > 1 && !s.wait(h.gapBefore(i))) || !s.send("content_block_delta", delta) {
			return
		}
	}
	switch h.cfg.Ending {
	case EndNone:
		return
	case EndError:
		s.send("error", map[string]any{"type": "error", "error": map[string]string{"type": "overloaded_error", "message": "Overloaded (the test origin's Ending error)"}})
		return
	}
	if !s.send("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}) ||
		!s.send("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
			"usage": map[string]int{"output_tokens": tokens}}) {
		return
	}
	s.send("message_stop", map[string]string{"type": "message_stop"})
}
