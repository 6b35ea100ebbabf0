// Package probe connects to an SSE endpoint as a client would (an
// EventSource's GET, an LLM API's POST, or an MCP client's session) and
// reports how the stream arrives: a typed Outcome (streamed, buffered,
// held, cut, refused, not_sse, error) with a Fault record, status and
// headers, each event's arrival, read and relay latency, the time to
// headers and first content, the keep-alives during the silence before
// it, the gaps between events, how many arrived per read (coalescing,
// seen without the sender's timestamps), the protocol the stream spoke
// (chat completions, Responses, Anthropic Messages, MCP or plain SSE:
// Dialect) and whether its final event came, its usage and its error
// event, on the decoded stream when it is compressed (StreamReader).
package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// Options say what to read.
type Options struct {
	// Events stops the probe after that many events (0: no count).
	Events int
	// Duration stops the probe after that long (0: no limit).
	Duration time.Duration
	// Request is what to send (default: an EventSource's GET).
	Request Request
	// MaxLatency is the relay latency above which an event counts as late
	// (latency needs the sender's sent_unix_nano), and, without it, the
	// wait for the first event above which events that all arrive together
	// count as held (default 500ms).
	MaxLatency time.Duration
	// Client makes the request (default: a client without timeouts).
	Client *http.Client
	// Protocol forces the stream's protocol ("": the probe recognises it
	// from the events).
	Protocol Protocol
	// MCP makes the probe an MCP client: it initializes a session at the
	// URL and probes the stream of one tools/call (mcpclient.go).
	// Request's headers and Compressed go with every request; its method
	// and body are not used.
	MCP *MCPCall
}

// Event is one received event.
type Event struct {
	Type        string   `json:"type"`
	Data        string   `json:"data"`
	LastEventID string   `json:"last_event_id"`
	ArrivalMS   float64  `json:"arrival_ms"`
	LatencyMS   *float64 `json:"latency_ms"`
	// Read numbers the read from the connection that completed the event,
	// from 1: events with the same number arrived together.
	Read int `json:"read"`
	// Content is the output the event carries in its protocol (a chat
	// chunk's delta content, a Responses or Anthropic delta's text, an MCP
	// progress notification), for people to read.
	Content string `json:"content,omitempty"`

	sentNano  int64
	arrived   time.Time
	readBytes int
	// content: the event carries the stream's output (Reading.Content).
	content bool
}

// Report is what the probe saw. Outcome and Fault say how the stream
// arrived, as types; Error says it in words for people, and nothing
// should parse it.
type Report struct {
	Outcome Outcome `json:"outcome"`
	// Fault is the record of a cut, hold or buffering (nil otherwise).
	Fault *Fault `json:"fault"`
	// OK is Outcome == Streamed.
	OK          bool              `json:"ok"`
	Error       string            `json:"error"`
	Status      int               `json:"status"`
	ContentType string            `json:"content_type"`
	Headers     map[string]string `json:"headers"`
	RetryMS     *int64            `json:"retry_ms"`
	Events      []Event           `json:"events"`
	// HeadersMS is the time to the response headers, FirstEventMS to the
	// first event, FirstContentMS to the first event carrying content in
	// its protocol (the first token; on a plain stream the first event).
	HeadersMS      float64  `json:"headers_ms"`
	FirstEventMS   *float64 `json:"first_event_ms"`
	FirstContentMS *float64 `json:"first_content_ms"`
	// KeepalivesBeforeContent counts the comments (and Anthropic ping
	// events) that arrived before the first content: the pings of a
	// server that thinks before its first token.
	KeepalivesBeforeContent int `json:"keepalives_before_content"`
	// LongestSilenceBeforeContentMS is the longest time nothing at all
	// arrived between the response headers and the first content (nil
	// without content): what an idle timeout on the way measures. Pings
	// relayed as they are sent keep it short; a hop that holds them does
	// not.
	LongestSilenceBeforeContentMS *float64 `json:"longest_silence_before_content_ms"`
	// GapMS are the gaps between the arrivals of the events that carry
	// content (nil with fewer than two).
	GapMS *Quantiles `json:"gap_ms"`
	// Coalescing says how many events arrived per read.
	Coalescing Coalescing `json:"coalescing"`
	// Heartbeats counts comment lines.
	Heartbeats int `json:"heartbeats"`
	// Protocol is the protocol the stream spoke: forced, or recognised
	// from its events (sse when none was; empty when no stream was read
	// and none was forced).
	Protocol Protocol `json:"protocol"`
	// Completed: the protocol's final event arrived. Always false on a
	// plain stream, which has none.
	Completed bool `json:"completed"`
	// StopReason is why the output stopped, when the protocol said:
	// finish_reason, stop_reason, a Responses status or incomplete reason.
	StopReason string `json:"stop_reason,omitempty"`
	// StreamError is the error event that ended the stream (outcome
	// error, fault error_event).
	StreamError *StreamError `json:"stream_error"`
	// Done: the stream ended with a chat completions data: [DONE].
	Done bool `json:"done"`
	// Usage is the response's token count, when an event carried it.
	Usage *Usage `json:"usage"`
	// ContentEncoding is the response's content coding ("" for none): the
	// probe decoded it and judged the decoded stream.
	ContentEncoding string `json:"content_encoding"`
	// MCP is what the MCP session said, with Options.MCP.
	MCP *MCPReport `json:"mcp,omitempty"`
	// DurationMS is how long the probe ran, from the request to its end.
	DurationMS float64 `json:"duration_ms"`
	// Started is when the probe sent its request: the time every *MS
	// figure counts from (zero when no request was sent).
	Started time.Time `json:"-"`
	// Cut is Outcome == Cut; SilenceBeforeCutMS is then how long the
	// stream had been silent (Fault.SilenceMS).
	Cut                bool     `json:"cut"`
	SilenceBeforeCutMS *float64 `json:"silence_before_cut_ms"`
	// Incomplete is true when the stream ended in the middle of an event.
	Incomplete bool `json:"incomplete"`
	// BufferingSuspected is true for Buffered and Held; BufferingReason
	// says why, in words.
	BufferingSuspected bool   `json:"buffering_suspected"`
	BufferingReason    string `json:"buffering_reason,omitempty"`

	// sharedKeepalives counts the keep-alives before the first content
	// that shared a read with another item.
	sharedKeepalives int
}

// Run probes url until the goal (events, duration), the end of the
// stream (its protocol's final event or error event), or ctx.
func Run(ctx context.Context, url string, opts Options) Report {
	rep := Report{Events: []Event{}, Headers: map[string]string{}, Protocol: opts.Protocol}
	if opts.MaxLatency == 0 {
		opts.MaxLatency = 500 * time.Millisecond
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	if opts.MCP != nil {
		rep.runMCP(ctx, url, opts)
		return rep
	}
	req, err := opts.Request.HTTP(ctx, url)
	if err != nil {
		rep.finish(Error, nil, "the request cannot be made: "+redactError(err, opts.Request.Query))
		return rep
	}
	start := time.Now()
	rep.Started = start
	resp, err := opts.Client.Do(req)
	if err != nil {
		rep.failed(ctx, err, opts.Request.Query, start)
		return rep
	}
	defer resp.Body.Close()
	rep.receive(ctx, resp, NewDialect(opts.Protocol), opts, start)
	return rep
}

// failed records a request that got no response: held when the probe
// stopped first, an error otherwise.
func (rep *Report) failed(ctx context.Context, err error, query url.Values, start time.Time) {
	rep.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	if ctx.Err() != nil {
		// The probe stopped first: something on the way holds the
		// request, or drops it without a word.
		rep.finish(Held, &Fault{Kind: NoHeaders, AfterMS: rep.DurationMS, SilenceMS: rep.DurationMS},
			fmt.Sprintf("no response headers arrived in %.0f ms", rep.DurationMS))
		return
	}
	rep.finish(Error, nil, "request failed: "+redactError(err, query))
}

// receive takes the response to the probed request: a stream is read
// with d and judged; anything else is refused or not_sse.
func (rep *Report) receive(ctx context.Context, resp *http.Response, d *Dialect, opts Options, start time.Time) {
	since := func(t time.Time) float64 { return float64(t.Sub(start).Microseconds()) / 1000 }
	headers := time.Now()
	rep.head(resp, since(headers))
	switch {
	case resp.StatusCode != http.StatusOK:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		rep.DurationMS = since(time.Now())
		rep.finish(Refused, nil, fmt.Sprintf("status %d, not 200: an EventSource fails the connection (%s)", resp.StatusCode, strings.TrimSpace(string(body))))
		return
	case !sse.ContentTypeOK(rep.ContentType):
		rep.DurationMS = since(time.Now())
		rep.finish(NotSSE, nil, fmt.Sprintf("Content-Type %q is not text/event-stream: an EventSource fails the connection", rep.ContentType))
		return
	}
	sr, err := NewStreamReader(resp.Body, resp.Header.Get("Content-Encoding"))
	if err != nil {
		rep.DurationMS = since(time.Now())
		rep.finish(Error, nil, err.Error())
		return
	}
	rep.judge(ctx, sr, d, opts, since, headers)
}

// head records the response's status and headers.
func (rep *Report) head(resp *http.Response, headersMS float64) {
	rep.HeadersMS = headersMS
	rep.Status = resp.StatusCode
	rep.ContentType = resp.Header.Get("Content-Type")
	rep.ContentEncoding = strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	// A header sent more than once is reported combined (RFC 9110, 5.3),
	// as each emulated hop adds its own X-Sseready-Gateway.
	for k, vs := range resp.Header {
		rep.Headers[k] = strings.Join(vs, ", ")
	}
}

// judge reads the stream from src until its end and judges how it
// arrived. headers is when the response headers arrived.
func (rep *Report) judge(ctx context.Context, src source, d *Dialect, opts Options, since func(time.Time) float64, headers time.Time) {
	end := read(ctx, src, d, rep, opts, since, headers)
	rep.DurationMS = since(end.at)
	content := rep.contentEvents()
	if len(content) > 0 {
		first := content[0].ArrivalMS
		rep.FirstContentMS = &first
	}
	rep.GapMS = quantiles(gaps(content))
	rep.Coalescing = coalescing(content)
	if fault, msg := rep.judgeEnd(end, opts, since); fault != nil {
		rep.finish(outcomeOfFault(fault.Kind), fault, msg)
		return
	}
	if fault, msg := judgeTiming(content, rep.Coalescing, rep.HeadersMS, opts.MaxLatency); fault != nil {
		rep.finish(outcomeOfFault(fault.Kind), fault, msg)
		return
	}
	if fault, msg := rep.judgeKeepalives(opts.MaxLatency); fault != nil {
		rep.finish(outcomeOfFault(fault.Kind), fault, msg)
		return
	}
	rep.finish(Streamed, nil, "")
}

// Record sets the outcome from a fault found beside the probe's
// connection: a chain emulated on loopback knows what the client cannot,
// such as a hop that dropped the flow silently (chainrun.Chain.Blame).
// The fault's kind gives the outcome; msg says it in words.
func (rep *Report) Record(f Fault, msg string) {
	rep.finish(outcomeOfFault(f.Kind), &f, msg)
}

// finish sets the outcome, the record and the message, and the fields
// that restate them.
func (rep *Report) finish(o Outcome, f *Fault, msg string) {
	rep.Outcome, rep.Fault, rep.OK = o, f, o == Streamed
	rep.Error = ""
	if msg != "" {
		rep.Error = string(o) + ": " + msg
	}
	rep.Cut, rep.SilenceBeforeCutMS = o == Cut, nil
	if rep.Cut && f != nil {
		silence := f.SilenceMS
		rep.SilenceBeforeCutMS = &silence
	}
	rep.BufferingSuspected, rep.BufferingReason = o == Buffered || o == Held, ""
	if rep.BufferingSuspected {
		rep.BufferingReason = msg
	}
}
