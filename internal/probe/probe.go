// Package probe connects to an SSE endpoint as a client would and reports
// how the stream arrives: status and headers, each event's arrival time
// and relay latency, whether the stream was cut and after what silence,
// and whether the arrivals show buffering.
package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
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
	// MaxLatency is the relay latency above which an event counts as held
	// (default 500ms). Latency needs the sender's sent_unix_nano.
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
	sentNano    int64
}

// Report is what the probe saw.
type Report struct {
	OK          bool              `json:"ok"`
	Error       string            `json:"error"`
	Status      int               `json:"status"`
	ContentType string            `json:"content_type"`
	Headers     map[string]string `json:"headers"`
	RetryMS     *int64            `json:"retry_ms"`
	Events      []Event           `json:"events"`
	// HeadersMS is the time to the response headers, FirstEventMS to the
	// first event.
	HeadersMS    float64  `json:"headers_ms"`
	FirstEventMS *float64 `json:"first_event_ms"`
	// Heartbeats counts comment lines.
	Heartbeats int `json:"heartbeats"`
	// Cut is true when the stream ended before the probe's goal, or
	// broke off; SilenceBeforeCutMS is how long it had been silent then.
	Cut                bool     `json:"cut"`
	SilenceBeforeCutMS *float64 `json:"silence_before_cut_ms"`
	// Incomplete is true when the stream ended in the middle of an event.
	Incomplete bool `json:"incomplete"`
	// BufferingSuspected and BufferingReason say whether events arrived
	// later, or closer together, than they were sent.
	BufferingSuspected bool   `json:"buffering_suspected"`
	BufferingReason    string `json:"buffering_reason,omitempty"`
}

// Run probes url until the goal (events, duration), the end of the
// stream, or ctx.
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
		rep.Error = err.Error()
		return rep
	}
	start := time.Now()
	since := func(t time.Time) float64 { return float64(t.Sub(start).Microseconds()) / 1000 }
	resp, err := client.Do(req)
	if err != nil {
		rep.Error = "request failed: " + err.Error()
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
		rep.Error = fmt.Sprintf("status %d, not 200: an EventSource fails the connection (%s)", resp.StatusCode, strings.TrimSpace(string(body)))
		return rep
	case !sse.ContentTypeOK(rep.ContentType):
		rep.Error = fmt.Sprintf("Content-Type %q is not text/event-stream: an EventSource fails the connection", rep.ContentType)
		return rep
	}

	r := sse.NewReader(resp.Body)
	last := start
	for opts.Events == 0 || len(rep.Events) < opts.Events {
		it, err := r.Next()
		if err != nil {
			rep.Incomplete = r.Discarded
			rep.Cut, rep.Error = judgeEnd(ctx, err, opts, len(rep.Events))
			if rep.Cut {
				silence := since(time.Now()) - since(last)
				rep.SilenceBeforeCutMS = &silence
			}
			break
		}
		last = it.Arrived
		switch it.Kind {
		case sse.KindComment:
			rep.Heartbeats++
		case sse.KindRetry:
			ms := it.RetryMillis
			rep.RetryMS = &ms
		case sse.KindEvent:
			ev := Event{Type: it.Event.Type, Data: it.Event.Data, LastEventID: it.Event.LastEventID, ArrivalMS: since(it.Arrived)}
			var payload struct {
				SentUnixNano int64 `json:"sent_unix_nano"`
			}
			if json.Unmarshal([]byte(ev.Data), &payload) == nil && payload.SentUnixNano > 0 {
				lat := float64(it.Arrived.UnixNano()-payload.SentUnixNano) / 1e6
				ev.LatencyMS, ev.sentNano = &lat, payload.SentUnixNano
			}
			if rep.FirstEventMS == nil {
				first := ev.ArrivalMS
				rep.FirstEventMS = &first
			}
			rep.Events = append(rep.Events, ev)
		}
	}
	rep.BufferingSuspected, rep.BufferingReason = buffering(rep.Events, opts.MaxLatency)
	switch {
	case rep.Error != "":
	case rep.BufferingSuspected:
		rep.Error = "buffering suspected: " + rep.BufferingReason
	}
	rep.OK = rep.Error == ""
	return rep
}

// judgeEnd says whether the way the stream ended is a cut.
func judgeEnd(ctx context.Context, err error, opts Options, got int) (cut bool, msg string) {
	switch {
	case ctx.Err() != nil:
		// The probe's duration ran out, or its user stopped it (Ctrl-C):
		// the report is of what arrived until then.
		return false, ""
	case err == io.EOF && opts.Events > 0 && got < opts.Events:
		return true, fmt.Sprintf("the stream ended after %d of %d events", got, opts.Events)
	case err == io.EOF:
		return false, "" // a stream may end; --duration is a limit, not a length
	}
	return true, "the stream broke off: " + err.Error()
}

// buffering looks for events that arrived late (relay latency over maxLatency)
// or in bursts: sent apart but received together. Both need the sender's
// timestamps.
func buffering(events []Event, maxLatency time.Duration) (bool, string) {
	var late []float64
	bursts, pairs := 0, 0
	for i, e := range events {
		if e.LatencyMS == nil {
			continue
		}
		if *e.LatencyMS > float64(maxLatency.Milliseconds()) {
			late = append(late, *e.LatencyMS)
		}
		if i == 0 || events[i-1].LatencyMS == nil {
			continue
		}
		sentGap := float64(e.sentNano-events[i-1].sentNano) / 1e6
		arrivalGap := e.ArrivalMS - events[i-1].ArrivalMS
		if sentGap >= 10 {
			pairs++
			if arrivalGap < sentGap/4 {
				bursts++
			}
		}
	}
	if len(late) > 0 {
		sort.Float64s(late)
		return true, fmt.Sprintf("%d of %d events arrived more than %s after they were sent (up to %.0f ms)", len(late), len(events), maxLatency, late[len(late)-1])
	}
	if pairs > 0 && bursts >= 2 && bursts*4 >= pairs {
		return true, fmt.Sprintf("%d of %d events sent at least 10 ms apart arrived together", bursts, pairs)
	}
	return false, ""
}
