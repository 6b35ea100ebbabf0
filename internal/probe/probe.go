// Package probe connects to an SSE endpoint as a client would (an
// EventSource's GET, or an LLM API's POST) and reports how the stream
// arrives: a typed Outcome (streamed, buffered, held, cut, refused,
// not_sse, error) with a Fault record, status and headers, each event's
// arrival, read and relay latency, the time to headers and first event,
// the gaps between events, how many arrived per read (coalescing, seen
// without the sender's timestamps), and a chat completion's usage and
// data: [DONE].
package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
	// Content is a chat completion chunk's generated text (its choices'
	// delta content), for people to read.
	Content string `json:"content,omitempty"`

	sentNano  int64
	arrived   time.Time
	readBytes int
	// content: the event carries the stream's output (any event, or on a
	// chat completions stream a chunk with generated content).
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
	// first event, FirstContentMS to the first event carrying content (on
	// a chat completions stream the first token; else the first event).
	HeadersMS      float64  `json:"headers_ms"`
	FirstEventMS   *float64 `json:"first_event_ms"`
	FirstContentMS *float64 `json:"first_content_ms"`
	// GapMS are the gaps between the arrivals of the events that carry
	// content (nil with fewer than two).
	GapMS *Quantiles `json:"gap_ms"`
	// Coalescing says how many events arrived per read.
	Coalescing Coalescing `json:"coalescing"`
	// Heartbeats counts comment lines.
	Heartbeats int `json:"heartbeats"`
	// Done: the stream ended with a chat completions data: [DONE].
	Done bool `json:"done"`
	// Usage is the chat completion's token count, when a chunk carried it.
	Usage *Usage `json:"usage"`
	// DurationMS is how long the probe ran, from the request to its end.
	DurationMS float64 `json:"duration_ms"`
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
}

// Run probes url until the goal (events, duration), the end of the
// stream (a chat completions stream ends at data: [DONE]), or ctx.
func Run(ctx context.Context, url string, opts Options) Report {
	rep := Report{Events: []Event{}, Headers: map[string]string{}}
	if opts.MaxLatency == 0 {
		opts.MaxLatency = 500 * time.Millisecond
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{}
	}
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	req, err := opts.Request.HTTP(ctx, url)
	if err != nil {
		rep.finish(Error, nil, "the request cannot be made: "+err.Error())
		return rep
	}
	start := time.Now()
	since := func(t time.Time) float64 { return float64(t.Sub(start).Microseconds()) / 1000 }
	resp, err := client.Do(req)
	if err != nil {
		rep.DurationMS = since(time.Now())
		if ctx.Err() != nil {
			// The probe stopped first: something on the way holds the
			// request, or drops it without a word.
			rep.finish(Held, &Fault{Kind: NoHeaders, AfterMS: rep.DurationMS, SilenceMS: rep.DurationMS},
				fmt.Sprintf("no response headers arrived in %.0f ms", rep.DurationMS))
			return rep
		}
		rep.finish(Error, nil, "request failed: "+err.Error())
		return rep
	}
	defer resp.Body.Close()
	rep.HeadersMS = since(time.Now())
	rep.Status = resp.StatusCode
	rep.ContentType = resp.Header.Get("Content-Type")
	// A header sent more than once is reported combined (RFC 9110, 5.3),
	// as each emulated hop adds its own X-Sseready-Gateway.
	for k, vs := range resp.Header {
		rep.Headers[k] = strings.Join(vs, ", ")
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		rep.DurationMS = since(time.Now())
		rep.finish(Refused, nil, fmt.Sprintf("status %d, not 200: an EventSource fails the connection (%s)", resp.StatusCode, strings.TrimSpace(string(body))))
		return rep
	case !sse.ContentTypeOK(rep.ContentType):
		rep.DurationMS = since(time.Now())
		rep.finish(NotSSE, nil, fmt.Sprintf("Content-Type %q is not text/event-stream: an EventSource fails the connection", rep.ContentType))
		return rep
	}

	end := read(ctx, sse.NewReader(resp.Body), &rep, opts, since)
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
		return rep
	}
	if fault, msg := judgeTiming(content, rep.Coalescing, rep.HeadersMS, opts.MaxLatency); fault != nil {
		rep.finish(outcomeOfFault(fault.Kind), fault, msg)
		return rep
	}
	rep.finish(Streamed, nil, "")
	return rep
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
