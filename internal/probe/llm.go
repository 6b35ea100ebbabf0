package probe

import "encoding/json"

// responsesEvent is what the probe reads of a Responses API event
// (FACTS.md, "Added with issue 17"): its type, a delta's text, the
// response of the final events and an error event's fields.
type responsesEvent struct {
	Type     string          `json:"type"`
	Delta    json.RawMessage `json:"delta"`
	Response *struct {
		Status string `json:"status"`
		Usage  *struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
			TotalTokens  int `json:"total_tokens"`
		} `json:"usage"`
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		IncompleteDetails *struct {
			Reason string `json:"reason"`
		} `json:"incomplete_details"`
	} `json:"response"`
	// An error event's.
	Code    *string `json:"code"`
	Message string  `json:"message"`
}

// responsesContent are the delta events that carry output.
var responsesContent = map[string]bool{
	"response.output_text.delta":             true,
	"response.refusal.delta":                 true,
	"response.function_call_arguments.delta": true,
}

// readResponses reads a Responses API event. The data's type names the
// event; the event field repeats it.
func readResponses(eventType, data string) Reading {
	var e responsesEvent
	if !jsonObject(data, &e) {
		return Reading{}
	}
	if e.Type == "" {
		e.Type = eventType
	}
	r := Reading{Content: responsesContent[e.Type]}
	if r.Content && e.Type != "response.function_call_arguments.delta" {
		_ = json.Unmarshal(e.Delta, &r.Text)
	}
	resp := e.Response
	if resp != nil && resp.Usage != nil {
		u := resp.Usage
		r.Usage = &Usage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, TotalTokens: u.TotalTokens}
	}
	if resp != nil && (e.Type == "response.completed" || e.Type == "response.incomplete" || e.Type == "response.failed") {
		r.StopReason = resp.Status
		if d := resp.IncompleteDetails; d != nil && d.Reason != "" {
			r.StopReason = d.Reason
		}
	}
	switch e.Type {
	case "response.completed", "response.incomplete":
		r.Final = true
	case "response.failed":
		r.Error = &StreamError{Event: e.Type}
		if e.Response != nil && e.Response.Error != nil {
			r.Error.Code, r.Error.Message = e.Response.Error.Code, e.Response.Error.Message
		}
	case "error":
		r.Error = &StreamError{Event: e.Type, Message: e.Message}
		if e.Code != nil {
			r.Error.Code = *e.Code
		}
	}
	return r
}

// anthropicEvent is what the probe reads of a Messages API event.
type anthropicEvent struct {
	Type    string `json:"type"`
	Message *struct {
		Usage *anthropicUsage `json:"usage"`
	} `json:"message"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		Thinking    string `json:"thinking"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *anthropicUsage `json:"usage"`
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

type anthropicUsage struct {
	InputTokens  *int `json:"input_tokens"`
	OutputTokens *int `json:"output_tokens"`
}

// readAnthropic reads a Messages API event. The usage adds up:
// message_start gives the input tokens, message_delta the output tokens
// so far.
func (d *Dialect) readAnthropic(eventType, data string) Reading {
	var e anthropicEvent
	if !jsonObject(data, &e) {
		return Reading{}
	}
	if e.Type == "" {
		e.Type = eventType
	}
	var r Reading
	switch e.Type {
	case "content_block_delta":
		r.Content = true
		if e.Delta != nil {
			r.Text = e.Delta.Text + e.Delta.PartialJSON + e.Delta.Thinking
		}
	case "message_delta":
		if e.Delta != nil {
			r.StopReason = e.Delta.StopReason
		}
	case "message_stop":
		r.Final = true
	case "ping":
		r.Keepalive = true
	case "error":
		r.Error = &StreamError{Event: e.Type}
		if e.Error != nil {
			r.Error.Code, r.Error.Message = e.Error.Type, e.Error.Message
		}
	}
	u := e.Usage
	if e.Message != nil && e.Message.Usage != nil {
		u = e.Message.Usage
	}
	if u != nil {
		if u.InputTokens != nil {
			d.usage.PromptTokens = *u.InputTokens
		}
		if u.OutputTokens != nil {
			d.usage.CompletionTokens = *u.OutputTokens
		}
		d.usage.TotalTokens = d.usage.PromptTokens + d.usage.CompletionTokens
		total := d.usage
		r.Usage = &total
	}
	return r
}
