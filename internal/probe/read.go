package probe

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// source is where a stream's items come from: a StreamReader, or the
// items an MCP HTTP+SSE session's stream brought for the call.
type source interface {
	Next() (sse.Received, error)
	Discarded() bool
}

// ending is how the reading stopped.
type ending struct {
	// err is the read's error (io.EOF at a clean end); nil when the probe
	// stopped by itself (its Events, the protocol's final event or an
	// error event).
	err error
	// stopped: ctx ended the read (Duration, or the caller).
	stopped bool
	// discarded: the stream ended inside an event.
	discarded bool
	at        time.Time
	// lastItem is the arrival of the last item of any kind, or of the
	// response headers; items counts them.
	lastItem time.Time
	items    int
}

// mark is an item's arrival, for the silence before the first content:
// whether it was a keep-alive (a comment, Anthropic's ping) and which
// event it was (-1: not an event).
type mark struct {
	at        time.Time
	read      int
	keepalive bool
	event     int
}

// read reads items into rep until the goal, the protocol's final event
// or an error event, the end of the stream or ctx.
func read(ctx context.Context, src source, d *Dialect, rep *Report, opts Options, since func(time.Time) float64, headers time.Time) ending {
	end := ending{lastItem: headers}
	var marks []mark
	recognisedAt := -1
	defer func() {
		rep.Protocol = d.Protocol()
		if recognisedAt > 0 {
			rep.reclassify(recognisedAt)
		}
		rep.firstSilence(marks, headers)
	}()
	for opts.Events == 0 || len(rep.Events) < opts.Events {
		it, err := src.Next()
		if err != nil {
			end.err, end.stopped, end.discarded = err, ctx.Err() != nil, src.Discarded()
			end.at = time.Now()
			return end
		}
		end.lastItem = it.Arrived
		end.items++
		switch it.Kind {
		case sse.KindComment:
			rep.Heartbeats++
			marks = append(marks, mark{at: it.Arrived, read: it.Read, keepalive: true, event: -1})
		case sse.KindRetry:
			ms := it.RetryMillis
			rep.RetryMS = &ms
			marks = append(marks, mark{at: it.Arrived, read: it.Read, event: -1})
		case sse.KindEvent:
			known := d.Recognised()
			r := d.Read(it.Event.Type, it.Event.Data)
			if !known && d.Recognised() {
				recognisedAt = len(rep.Events)
			}
			ev := Event{Type: it.Event.Type, Data: it.Event.Data, LastEventID: it.Event.LastEventID, ArrivalMS: since(it.Arrived),
				Read: it.Read, arrived: it.Arrived, readBytes: it.ReadBytes, content: r.Content, Content: r.Text}
			if r.SentUnixNano > 0 {
				lat := float64(it.Arrived.UnixNano()-r.SentUnixNano) / 1e6
				ev.LatencyMS, ev.sentNano = &lat, r.SentUnixNano
			}
			rep.take(r)
			if rep.FirstEventMS == nil {
				first := ev.ArrivalMS
				rep.FirstEventMS = &first
			}
			marks = append(marks, mark{at: it.Arrived, read: it.Read, keepalive: r.Keepalive, event: len(rep.Events)})
			rep.Events = append(rep.Events, ev)
			if d.Protocol() == ChatCompletions && isDone(ev.Data) {
				rep.Done = true
			}
			if r.Final || r.Error != nil {
				// The protocol's end: what follows is not the stream's.
				end.at = time.Now()
				return end
			}
		}
	}
	end.at = time.Now()
	return end
}

// take keeps what a reading says of the whole stream.
func (rep *Report) take(r Reading) {
	if r.Usage != nil {
		rep.Usage = r.Usage
	}
	if r.StopReason != "" {
		rep.StopReason = r.StopReason
	}
	if r.Final {
		rep.Completed = true
	}
	if r.Error != nil {
		rep.StreamError = r.Error
	}
	if r.Response != nil && rep.MCP != nil {
		rep.MCP.Result, rep.MCP.CallError = r.Response.Result, r.Response.Error
	}
}

// reclassify reads the first n events again in the protocol recognised
// only after them.
func (rep *Report) reclassify(n int) {
	d := NewDialect(rep.Protocol)
	for i := range rep.Events[:n] {
		e := &rep.Events[i]
		r := d.Read(e.Type, e.Data)
		e.content, e.Content = r.Content, r.Text
	}
}

// firstSilence counts the keep-alives before the first content, those of
// them that shared a read with another item, and the longest time
// nothing arrived until the first content.
func (rep *Report) firstSilence(marks []mark, headers time.Time) {
	prev := headers
	var longest time.Duration
	perRead := map[int]int{}
	for i, m := range marks {
		longest = max(longest, m.at.Sub(prev))
		prev = m.at
		perRead[m.read]++
		if m.event >= 0 && rep.Events[m.event].content {
			ms := float64(longest.Microseconds()) / 1000
			rep.LongestSilenceBeforeContentMS = &ms
			for _, k := range marks[:i] {
				if k.keepalive && perRead[k.read] > 1 {
					rep.sharedKeepalives++
				}
			}
			return
		}
		if m.keepalive {
			rep.KeepalivesBeforeContent++
		}
	}
}

// judgeKeepalives looks for keep-alives held back with the first
// content: at least three, most sharing a read, after a silence longer
// than maxLatency. A hop that holds them defeats them: an idle timeout
// beyond it sees the whole silence.
func (rep *Report) judgeKeepalives(maxLatency time.Duration) (*Fault, string) {
	n, silence := rep.KeepalivesBeforeContent, rep.LongestSilenceBeforeContentMS
	if silence == nil || *silence <= float64(maxLatency.Microseconds())/1000 || !SharedReadsBuffered(rep.sharedKeepalives, n) {
		return nil, ""
	}
	return &Fault{Kind: Coalesced, AfterMS: *rep.FirstContentMS, SilenceMS: *silence},
		fmt.Sprintf("%d of the %d keep-alives sent before the first content arrived together, after %.0f ms of silence: something on the way held them", rep.sharedKeepalives, n, *silence)
}

// contentEvents are the events that carry the stream's output.
func (rep *Report) contentEvents() []Event {
	var out []Event
	for _, e := range rep.Events {
		if e.content {
			out = append(out, e)
		}
	}
	return out
}

// protocolNames name the protocols in messages.
var protocolNames = map[Protocol]string{
	ChatCompletions: "chat completions", Responses: "Responses", AnthropicMessages: "Anthropic Messages", MCP: "MCP", PlainSSE: "event",
}

// judgeEnd says whether the way the stream ended is a cut, an error
// event, or a hold with nothing to show.
func (rep *Report) judgeEnd(end ending, opts Options, since func(time.Time) float64) (*Fault, string) {
	rep.Incomplete = end.discarded
	got := len(rep.Events)
	after := since(end.at)
	fault := func(k FaultKind) *Fault {
		return &Fault{Kind: k, AfterMS: after, SilenceMS: after - since(end.lastItem)}
	}
	p := rep.Protocol
	switch {
	case end.err == nil && rep.StreamError != nil:
		e := rep.StreamError
		return fault(ErrorEvent), fmt.Sprintf("the %s stream sent %s after %d events: %s %s", protocolNames[p], e.Event, got, e.Code, e.Message)
	case end.err == nil:
		return nil, "" // the goal, or the protocol's final event
	case end.stopped && end.items == 0:
		f := fault(NothingArrived)
		f.SilenceMS = after - rep.HeadersMS
		return f, fmt.Sprintf("nothing arrived in the %.0f ms after the response headers", f.SilenceMS)
	case end.stopped:
		// The probe's duration ran out, or its user stopped it (Ctrl-C):
		// the report is of what arrived until then.
		return nil, ""
	case end.err != io.EOF:
		f := fault(BrokeOff)
		return f, fmt.Sprintf("the stream broke off after %d events and %.0f ms of silence: %v", got, f.SilenceMS, end.err)
	case end.discarded:
		return fault(EndedMidEvent), fmt.Sprintf("the stream ended in the middle of an event, after %d events", got)
	case p.HasFinal() && !rep.Completed:
		return fault(NoFinalEvent), fmt.Sprintf("the %s stream ended after %d events without %s", protocolNames[p], got, finalEvent[p])
	case opts.Events > 0 && got < opts.Events:
		return fault(EndedEarly), fmt.Sprintf("the stream ended after %d of %d events", got, opts.Events)
	case got == 0:
		return fault(EndedEarly), "the stream ended before any event"
	}
	return nil, "" // a stream may end; --duration is a limit, not a length
}
