package probe

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// ending is how the reading stopped.
type ending struct {
	// err is the read's error (io.EOF at a clean end); nil when the probe
	// stopped by itself (its Events, or data: [DONE]).
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
	// chat: a chunk was a chat completion chunk.
	chat bool
}

// read reads items into rep until the goal, data: [DONE], the end of the
// stream or ctx.
func read(ctx context.Context, r *sse.Reader, rep *Report, opts Options, since func(time.Time) float64) ending {
	end := ending{lastItem: time.Now()}
	for opts.Events == 0 || len(rep.Events) < opts.Events {
		it, err := r.Next()
		if err != nil {
			end.err, end.stopped, end.discarded = err, ctx.Err() != nil, r.Discarded
			end.at = time.Now()
			return end
		}
		end.lastItem = it.Arrived
		end.items++
		switch it.Kind {
		case sse.KindComment:
			rep.Heartbeats++
		case sse.KindRetry:
			ms := it.RetryMillis
			rep.RetryMS = &ms
		case sse.KindEvent:
			ev := Event{Type: it.Event.Type, Data: it.Event.Data, LastEventID: it.Event.LastEventID, ArrivalMS: since(it.Arrived),
				Read: it.Read, arrived: it.Arrived, readBytes: it.ReadBytes, content: true}
			if p, ok := readPayload(ev.Data); ok {
				if p.SentUnixNano > 0 {
					lat := float64(it.Arrived.UnixNano()-p.SentUnixNano) / 1e6
					ev.LatencyMS, ev.sentNano = &lat, p.SentUnixNano
				}
				if p.chatChunk() {
					end.chat = true
					ev.content, ev.Content = p.carriesContent(), p.text()
				}
				if p.Usage != nil {
					rep.Usage = p.Usage
				}
			}
			done := isDone(ev.Data)
			if done {
				ev.content = false
			}
			if rep.FirstEventMS == nil {
				first := ev.ArrivalMS
				rep.FirstEventMS = &first
			}
			rep.Events = append(rep.Events, ev)
			if done {
				// The protocol's end: what follows is not the stream's.
				rep.Done = true
				end.at = time.Now()
				return end
			}
		}
	}
	end.at = time.Now()
	return end
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

// judgeEnd says whether the way the stream ended is a cut, or a hold with
// nothing to show.
func (rep *Report) judgeEnd(end ending, opts Options, since func(time.Time) float64) (*Fault, string) {
	rep.Incomplete = end.discarded
	got := len(rep.Events)
	after := since(end.at)
	fault := func(k FaultKind) *Fault {
		return &Fault{Kind: k, AfterMS: after, SilenceMS: after - since(end.lastItem)}
	}
	switch {
	case end.err == nil:
		return nil, "" // the goal, or data: [DONE]
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
	case end.chat && !rep.Done:
		return fault(NoDone), fmt.Sprintf("the chat completions stream ended after %d events without data: [DONE]", got)
	case opts.Events > 0 && got < opts.Events:
		return fault(EndedEarly), fmt.Sprintf("the stream ended after %d of %d events", got, opts.Events)
	case got == 0:
		return fault(EndedEarly), "the stream ended before any event"
	}
	return nil, "" // a stream may end; --duration is a limit, not a length
}
