package probe

import (
	"encoding/json"
	"strings"
)

// Usage is the token count of an OpenAI-style chat completion, from the
// chunk a stream carries before data: [DONE] when the request asked for
// it (stream_options.include_usage).
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// chunkObject is the object type of a chat completions stream's chunks.
const chunkObject = "chat.completion.chunk"

// doneData is the data of the event that ends a chat completions stream.
const doneData = "[DONE]"

// payload is what the probe reads of an event's JSON data: the test
// origin's send time, and a chat completion chunk's type, content and
// usage. Other fields are ignored, as real clients ignore sent_unix_nano.
type payload struct {
	SentUnixNano int64  `json:"sent_unix_nano"`
	Object       string `json:"object"`
	Choices      []struct {
		Delta struct {
			Content   string          `json:"content"`
			ToolCalls json.RawMessage `json:"tool_calls"`
		} `json:"delta"`
	} `json:"choices"`
	Usage *Usage `json:"usage"`
}

// readPayload decodes data when it is a JSON object; ok is false for any
// other data, which the probe then reads as opaque.
func readPayload(data string) (p payload, ok bool) {
	if !strings.HasPrefix(strings.TrimSpace(data), "{") {
		return p, false
	}
	return p, json.Unmarshal([]byte(data), &p) == nil
}

// chatChunk reports whether the payload is a chat completion chunk.
func (p payload) chatChunk() bool { return p.Object == chunkObject }

// carriesContent reports whether a chunk carries generated output: text
// or a tool call's delta. A role-only chunk, the finish chunk and the
// usage chunk carry none.
func (p payload) carriesContent() bool {
	for _, c := range p.Choices {
		if c.Delta.Content != "" || (len(c.Delta.ToolCalls) > 0 && string(c.Delta.ToolCalls) != "null") {
			return true
		}
	}
	return false
}

// text is the chunk's generated text, its choices' in order.
func (p payload) text() string {
	var b strings.Builder
	for _, c := range p.Choices {
		b.WriteString(c.Delta.Content)
	}
	return b.String()
}

func isDone(data string) bool { return strings.TrimSpace(data) == doneData }
