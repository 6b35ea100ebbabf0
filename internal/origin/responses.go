package origin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// The Responses API wire format (FACTS.md, "Added with issue 17"): a POST
// with a JSON body whose input is required; "stream": true answers with
// named events, each data a JSON object whose type repeats the event's
// name and carries sequence_number: response.created,
// response.in_progress, response.output_item.added,
// response.content_part.added, one response.output_text.delta per token,
// response.output_text.done, response.content_part.done,
// response.output_item.done and last response.completed with the usage.
// No data: [DONE]. Each event here also carries sent_unix_nano.

type responsesRequest struct {
	Model  string          `json:"model"`
	Input  json.RawMessage `json:"input"`
	Stream *bool           `json:"stream"`
}

type responsesUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// responseObject is the response the lifecycle events carry.
type responseObject struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	CreatedAt         int64             `json:"created_at"`
	Status            string            `json:"status"`
	Model             string            `json:"model"`
	Output            []outputItem      `json:"output"`
	Usage             *responsesUsage   `json:"usage"`
	Error             map[string]string `json:"error"`
	IncompleteDetails map[string]string `json:"incomplete_details"`
}

type outputItem struct {
	ID      string        `json:"id"`
	Type    string        `json:"type"`
	Status  string        `json:"status"`
	Role    string        `json:"role"`
	Content []contentPart `json:"content"`
}

type contentPart struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
}

// readResponsesRequest reads and checks the request, or answers it with
// a 4xx in OpenAI's error shape.
func readResponsesRequest(w http.ResponseWriter, r *http.Request) (responsesRequest, bool) {
	var req responsesRequest
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		chatError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("responses take POST with a JSON body, not %s", r.Method))
		return req, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		chatError(w, http.StatusBadRequest, "", `the body is not a Responses request (JSON such as {"input": "hi", "stream": true}): `+err.Error())
		return req, false
	}
	if len(req.Input) == 0 || string(req.Input) == "null" {
		chatError(w, http.StatusBadRequest, "input", "input is required")
		return req, false
	}
	return req, true
}

// serveResponses answers one Responses API request.
func (h *Handler) serveResponses(w http.ResponseWriter, r *http.Request, f http.Flusher) {
	req, ok := readResponsesRequest(w, r)
	if !ok {
		return
	}
	tokens, prompt := h.tokens(), promptTokens(req.Input)
	resp := responseObject{ID: fmt.Sprintf("resp_sseready_%d", h.now().UnixNano()), Object: "response", CreatedAt: h.now().Unix(),
		Status: "in_progress", Model: req.Model, Output: []outputItem{}}
	if resp.Model == "" {
		resp.Model = "sseready-test"
	}
	usage := &responsesUsage{InputTokens: prompt, OutputTokens: tokens, TotalTokens: prompt + tokens}
	item := outputItem{ID: fmt.Sprintf("msg_sseready_%d", h.now().UnixNano()), Type: "message", Status: "in_progress", Role: "assistant", Content: []contentPart{}}
	text := completion(tokens)
	done := item
	done.Status, done.Content = "completed", []contentPart{{Type: "output_text", Text: text, Annotations: []any{}}}
	if req.Stream == nil || !*req.Stream {
		if h.wholeWait(r, tokens) {
			resp.Status, resp.Output, resp.Usage = "completed", []outputItem{done}, usage
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(resp)
		}
		return
	}
	h.writeStreamHeaders(w, f)
	s := h.sender(w, r, f)
	seq := -1
	send := func(typ string, fields map[string]any) bool {
		seq++
		ev := map[string]any{"type": typ, "sequence_number": seq}
		for k, v := range fields {
			ev[k] = v
		}
		return s.send(typ, ev)
	}
	part := map[string]any{"item_id": item.ID, "output_index": 0, "content_index": 0}
	with := func(k string, v any) map[string]any {
		m := map[string]any{k: v}
		for pk, pv := range part {
			m[pk] = pv
		}
		return m
	}
	if !s.firstDelay() || !send("response.created", map[string]any{"response": resp}) || !send("response.in_progress", map[string]any{"response": resp}) ||
		!send("response.output_item.added", map[string]any{"output_index": 0, "item": item}) ||
		!send("response.content_part.added", with("part", contentPart{Type: "output_text", Annotations: []any{}})) {
		return
	}
	for i := 1; i <= tokens; i++ {
		if (i > 1 && !s.wait(h.gapBefore(i))) || !send("response.output_text.delta", with("delta", word(i))) {
			return
		}
	}
	switch h.cfg.Ending {
	case EndNone:
		return
	case EndError:
		resp.Status, resp.Error = "failed", map[string]string{"code": "server_error", "message": "the test origin failed the response (Ending error)"}
		send("response.failed", map[string]any{"response": resp})
		return
	}
	final, status := "response.completed", "completed"
	if h.cfg.Ending == EndIncomplete {
		final, status = "response.incomplete", "incomplete"
		resp.IncompleteDetails = map[string]string{"reason": "max_output_tokens"}
		done.Status = status
	}
	if !send("response.output_text.done", with("text", text)) || !send("response.content_part.done", with("part", done.Content[0])) ||
		!send("response.output_item.done", map[string]any{"output_index": 0, "item": done}) {
		return
	}
	resp.Status, resp.Output, resp.Usage = status, []outputItem{done}, usage
	send(final, map[string]any{"response": resp})
}
