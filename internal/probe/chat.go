package probe

import (
	"encoding/json"
	"strings"
)

// Usage is a response's token count: a chat completion's usage chunk
// (stream_options.include_usage), a Responses response's usage, or
// Anthropic's input and output tokens, in the chat completions' names.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// chunkObject is the object type of a chat completions stream's chunks.
const chunkObject = "chat.completion.chunk"

// doneData is the data of the event that ends a chat completions stream.
const doneData = "[DONE]"

// chatChunk is what the probe reads of a chat completion chunk: its
// choices' deltas and finish reasons, and the usage. Other fields are
// ignored, as real clients ignore sent_unix_nano.
type chatChunk struct {
	Choices []struct {
		Delta struct {
			Content   string          `json:"content"`
			ToolCalls json.RawMessage `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *Usage `json:"usage"`
	// Error is an error object sent in place of a chunk (FACTS.md): the
	// OpenAI SDK raises on a data event whose JSON has a truthy error.
	Error json.RawMessage `json:"error"`
}

// chatError is the error object's fields the probe reports.
type chatError struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
}

// readChatError is the error event a chunk's error member makes, or nil
// when it has none (null, false, 0, "", {} or [], as Python reads a
// falsy value).
func readChatError(raw json.RawMessage) *StreamError {
	switch t := strings.TrimSpace(string(raw)); t {
	case "", "null", "false", "0", `""`, "{}", "[]":
		return nil
	}
	se := &StreamError{Event: "error", Message: "an error occurred during streaming"}
	var e chatError
	if err := json.Unmarshal(raw, &e); err != nil {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			se.Message = s
		}
		return se
	}
	if e.Message != "" {
		se.Message = e.Message
	}
	se.Code = e.Type
	var code string
	if json.Unmarshal(e.Code, &code) == nil && code != "" {
		se.Code = code
	} else if c := strings.TrimSpace(string(e.Code)); c != "" && c != "null" && !strings.HasPrefix(c, `"`) {
		se.Code = c // a numeric code
	}
	return se
}

// readChat reads a chat completions event: a chunk carries content when
// it has text or a tool call's delta (a role-only chunk, the finish
// chunk, the usage chunk and a content filter chunk carry none), data:
// [DONE] completes the stream, and an object with an error member is an
// error event.
func readChat(data string) Reading {
	if isDone(data) {
		return Reading{Final: true}
	}
	var c chatChunk
	if !jsonObject(data, &c) {
		return Reading{Content: true} // not a chunk: opaque output
	}
	r := Reading{Usage: c.Usage, Error: readChatError(c.Error)}
	var text strings.Builder
	for _, ch := range c.Choices {
		text.WriteString(ch.Delta.Content)
		if ch.Delta.Content != "" || (len(ch.Delta.ToolCalls) > 0 && string(ch.Delta.ToolCalls) != "null") {
			r.Content = true
		}
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			r.StopReason = *ch.FinishReason
		}
	}
	r.Text = text.String()
	return r
}

func isDone(data string) bool { return strings.TrimSpace(data) == doneData }
