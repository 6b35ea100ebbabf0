package probe

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

const (
	responsesBody = `{"model": "gpt-4.1", "input": "four words please", "stream": true}`
	messagesBody  = `{"model": "claude", "max_tokens": 64, "messages": [{"role": "user", "content": "four words please"}], "stream": true}`
	chatBody      = `{"messages": [{"role": "user", "content": "four words please"}], "stream": true, "stream_options": {"include_usage": true}}`
)

func postReq(body string) Request { return Request{Method: http.MethodPost, Body: []byte(body)} }

// Each dialect from the test origin: recognised from its events, its
// content taken per dialect, complete at its final event; without the
// final event, cut; with its error event, error; Responses'
// response.incomplete completes the stream, saying why it stopped.
func TestDialects(t *testing.T) {
	usage := &Usage{PromptTokens: 3, CompletionTokens: 4, TotalTokens: 7}
	for _, tt := range []struct {
		name     string
		cfg      origin.Config
		body     string
		protocol Protocol
		outcome  Outcome
		kind     FaultKind
		events   int
		stop     string
		usage    *Usage
	}{
		{"chat completions", origin.Config{ChatCompletions: true}, chatBody, ChatCompletions, Streamed, "", 4 + 4, "stop", usage},
		{"chat completions without [DONE]", origin.Config{ChatCompletions: true, Ending: origin.EndNone}, chatBody, ChatCompletions, Cut, NoFinalEvent, 4 + 3, "stop", usage},
		{"chat completions, an error mid-stream", origin.Config{ChatCompletions: true, Ending: origin.EndError}, chatBody, ChatCompletions, Error, ErrorEvent, 4 + 2, "", nil},
		{"Responses", origin.Config{Responses: true}, responsesBody, Responses, Streamed, "", 4 + 8, "completed", usage},
		{"Responses, incomplete", origin.Config{Responses: true, Ending: origin.EndIncomplete}, responsesBody, Responses, Streamed, "", 4 + 8, "max_output_tokens", usage},
		{"Responses without response.completed", origin.Config{Responses: true, Ending: origin.EndNone}, responsesBody, Responses, Cut, NoFinalEvent, 4 + 4, "", nil},
		{"Responses, failed", origin.Config{Responses: true, Ending: origin.EndError}, responsesBody, Responses, Error, ErrorEvent, 4 + 5, "failed", nil},
		{"Anthropic Messages", origin.Config{Messages: true}, messagesBody, AnthropicMessages, Streamed, "", 4 + 6, "end_turn", usage},
		{"Anthropic Messages without message_stop", origin.Config{Messages: true, Ending: origin.EndNone}, messagesBody, AnthropicMessages, Cut, NoFinalEvent, 4 + 3, "", &Usage{PromptTokens: 3, CompletionTokens: 1, TotalTokens: 4}},
		{"Anthropic Messages, overloaded", origin.Config{Messages: true, Ending: origin.EndError}, messagesBody, AnthropicMessages, Error, ErrorEvent, 4 + 4, "", &Usage{PromptTokens: 3, CompletionTokens: 1, TotalTokens: 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.Events, tt.cfg.Interval = 4, 40*time.Millisecond
			// --events far above the stream's: the protocol ends it.
			rep := Run(context.Background(), originURL(t, tt.cfg), Options{Events: 100, Request: postReq(tt.body), Duration: 10 * time.Second})
			if rep.Protocol != tt.protocol || rep.Outcome != tt.outcome || len(rep.Events) != tt.events || rep.Completed != (tt.kind == "") {
				t.Fatalf("protocol %q outcome %q completed %v with %d events (%s), want %q %q with %d", rep.Protocol, rep.Outcome, rep.Completed, len(rep.Events), rep.Error, tt.protocol, tt.outcome, tt.events)
			}
			if (rep.Fault == nil) != (tt.kind == "") || (rep.Fault != nil && rep.Fault.Kind != tt.kind) {
				t.Fatalf("fault %+v, want %q", rep.Fault, tt.kind)
			}
			if rep.StopReason != tt.stop || (rep.Usage == nil) != (tt.usage == nil) || (tt.usage != nil && *rep.Usage != *tt.usage) {
				t.Fatalf("stop reason %q usage %+v, want %q %+v", rep.StopReason, rep.Usage, tt.stop, tt.usage)
			}
			if (rep.StreamError != nil) != (tt.kind == ErrorEvent) || rep.Done != (tt.protocol == ChatCompletions && tt.kind == "") {
				t.Fatalf("stream error %+v done %v", rep.StreamError, rep.Done)
			}
			// The content is the tokens, whatever the dialect wraps them in:
			// the first after the first event, four, read apart (one late
			// read on a busy machine may join two).
			var text string
			for _, e := range rep.contentEvents() {
				text += e.Content
			}
			c := rep.Coalescing
			if text != "Server-sent events arrive one" || c.Events != 4 || c.MaxEventsPerRead > 2 || *rep.FirstContentMS < *rep.FirstEventMS || rep.GapMS == nil {
				t.Fatalf("content %q, coalescing %+v, first event %.1f, first content %.1f", text, c, *rep.FirstEventMS, *rep.FirstContentMS)
			}
		})
	}
}

// --protocol forces the dialect: a plain stream read as Responses has no
// content and no response.completed (cut); a Responses stream read as
// plain SSE has nothing to complete it, and every event is content.
func TestForcedProtocol(t *testing.T) {
	plain := originURL(t, origin.Config{Events: 3, Interval: 10 * time.Millisecond})
	rep := Run(context.Background(), plain, Options{Protocol: Responses})
	if rep.Protocol != Responses || rep.Outcome != Cut || rep.Fault.Kind != NoFinalEvent || rep.FirstContentMS != nil || !strings.Contains(rep.Error, "without response.completed") {
		t.Fatalf("plain as Responses: %q %q %+v %v", rep.Protocol, rep.Outcome, rep.Fault, rep.Error)
	}
	rep = Run(context.Background(), plain, Options{})
	if rep.Protocol != PlainSSE || rep.Outcome != Streamed || rep.Completed || rep.Coalescing.Events != 3 {
		t.Fatalf("plain: %q %q completed %v", rep.Protocol, rep.Outcome, rep.Completed)
	}
	resp := originURL(t, origin.Config{Responses: true, Events: 2, Interval: 10 * time.Millisecond})
	rep = Run(context.Background(), resp, Options{Protocol: PlainSSE, Request: postReq(responsesBody)})
	if rep.Protocol != PlainSSE || rep.Outcome != Streamed || rep.Completed || rep.Coalescing.Events != len(rep.Events) {
		t.Fatalf("Responses as plain: %q %q completed %v, %d of %d events content", rep.Protocol, rep.Outcome, rep.Completed, rep.Coalescing.Events, len(rep.Events))
	}
}

// Error events as the real APIs send them, at any point: Responses'
// error event and Anthropic's error as the stream's first event.
func TestErrorEvents(t *testing.T) {
	for _, tt := range []struct {
		raw      string
		protocol Protocol
		want     StreamError
		events   int
	}{
		{"event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"status\":\"in_progress\"}}\n\n" +
			"event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\",\"param\":null,\"sequence_number\":1}\n\n" +
			"event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2}\n\n",
			Responses, StreamError{Event: "error", Code: "rate_limit_exceeded", Message: "slow down"}, 2},
		{"event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n",
			AnthropicMessages, StreamError{Event: "error", Code: "overloaded_error", Message: "Overloaded"}, 1},
	} {
		rep := Run(context.Background(), serve(t, write(tt.raw)), Options{})
		if rep.Protocol != tt.protocol || rep.Outcome != Error || rep.Fault.Kind != ErrorEvent || rep.StreamError == nil || *rep.StreamError != tt.want ||
			len(rep.Events) != tt.events || rep.Completed || !strings.Contains(rep.Error, tt.want.Message) {
			t.Errorf("%s: %q %q %+v %+v %d events: %s", tt.protocol, rep.Protocol, rep.Outcome, rep.Fault, rep.StreamError, len(rep.Events), rep.Error)
		}
	}
}

func TestRecognise(t *testing.T) {
	for _, tt := range []struct {
		typ, data string
		want      Protocol
	}{
		{"message", "[DONE]", ChatCompletions},
		{"message", `{"object": "chat.completion.chunk", "choices": []}`, ChatCompletions},
		{"message", `{"choices": [], "object": "", "prompt_filter_results": []}`, ChatCompletions}, // Azure's content filter chunk
		{"message", `{"error": {"message": "m", "type": "server_error", "code": null}}`, ChatCompletions},
		{"message", `{"error": "m"}`, ""}, // not the error object
		{"response.created", `{"type": "response.created", "sequence_number": 0}`, Responses},
		{"error", `{"type": "error", "code": "x", "message": "y", "sequence_number": 3}`, Responses},
		{"message_start", `{"type": "message_start", "message": {}}`, AnthropicMessages},
		{"ping", `{"type": "ping"}`, AnthropicMessages},
		{"error", `{"type": "error", "error": {"type": "api_error"}}`, AnthropicMessages},
		{"message", `{"jsonrpc": "2.0", "method": "notifications/progress"}`, MCP},
		{"message", `{"seq": 1, "sent_unix_nano": 5}`, ""},
		{"message", `{"type": "ping"}`, ""}, // a ping of someone else's
		{"message", "hello", ""},
	} {
		if got := recognise(tt.typ, tt.data); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.typ, tt.data, got, tt.want)
		}
	}
	for _, s := range []string{"chat_completions", "responses", "anthropic_messages", "mcp", "sse", "auto", ""} {
		if _, err := ParseProtocol(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseProtocol("grpc"); err == nil || !strings.Contains(err.Error(), "is not auto, chat_completions, responses") {
		t.Errorf("%v", err)
	}
}

// A protocol recognised only after some events: those are read again.
func TestLateRecognition(t *testing.T) {
	raw := "data: {\"note\": \"warming up\"}\n\n" +
		fmt.Sprintf("data: {\"object\": %q, \"choices\": [{\"delta\": {\"content\": \"hi\"}}]}\n\n", chunkObject) + "data: [DONE]\n\n"
	rep := Run(context.Background(), serve(t, write(raw)), Options{})
	if rep.Protocol != ChatCompletions || rep.Outcome != Streamed || rep.Coalescing.Events != 1 || *rep.FirstContentMS != rep.Events[1].ArrivalMS {
		t.Fatalf("%q %q %+v", rep.Protocol, rep.Outcome, rep.Coalescing)
	}
}

// A chat completions event whose error member is truthy is an error
// event, as the OpenAI SDK raises on it (FACTS.md): its message, and its
// code or else its type; falsy members are no error.
func TestChatErrorObject(t *testing.T) {
	for _, tt := range []struct {
		data string
		want *StreamError
	}{
		{`{"error": {"message": "The server had an error", "type": "server_error", "param": null, "code": null}}`,
			&StreamError{Event: "error", Code: "server_error", Message: "The server had an error"}},
		{`{"error": {"message": "Rate limit", "type": "requests", "code": "429"}}`, &StreamError{Event: "error", Code: "429", Message: "Rate limit"}},
		{`{"error": {"message": "m", "code": 500}}`, &StreamError{Event: "error", Code: "500", Message: "m"}},
		{`{"error": "overloaded"}`, &StreamError{Event: "error", Message: "overloaded"}},
		{`{"error": {"type": "server_error"}}`, &StreamError{Event: "error", Code: "server_error", Message: "an error occurred during streaming"}},
		{`{"error": null, "choices": []}`, nil},
		{`{"error": {}, "choices": []}`, nil},
		{`{"error": false}`, nil},
		{`{"error": ""}`, nil},
		{`{"choices": [{"delta": {"content": "x"}}]}`, nil},
	} {
		got := readChat(tt.data).Error
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.data, got, tt.want)
		}
	}
}
