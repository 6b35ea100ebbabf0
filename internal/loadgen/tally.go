package loadgen

import (
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// holdMax is how many events a stream whose protocol is not recognised
// yet holds back, so that they are read again in the protocol its next
// events show, as the probe reads them again (an opening event that is
// not content then does not count as the first content). Past it, the
// held events count as plain SSE, every one content.
const holdMax = 16

// tally reads one stream's events in its protocol (probe.Dialect, forced
// or recognised) and keeps what the recorder needs of the stream: its
// events and content events, the first content, the content rate, how it
// ended in its protocol, and the buffered judgement's counters.
type tally struct {
	opts  *Options
	d     *probe.Dialect
	start time.Time

	// held are the events read before the protocol was recognised.
	held []heldEvent
	// settled: the held events were counted as plain SSE; no more are
	// held.
	settled bool

	events, content int
	firstEvent      bool
	firstContent    time.Duration
	contentFrom     time.Time // the first content's arrival (zero before)
	lastContent     time.Time
	completed       bool
	errorEvent      bool
	arrivals        arrivals
	out             []received
}

type heldEvent struct {
	typ, data string
	at, rx    time.Time
	read      int
}

func newTally(opts *Options, d *probe.Dialect, start time.Time) *tally {
	return &tally{opts: opts, d: d, start: start, settled: d.Recognised()}
}

// goal reports whether the stream is over for the load: its content
// event count reached, its protocol's final or error event read.
func (t *tally) goal() bool {
	return t.completed || t.errorEvent || (t.opts.Events > 0 && t.content >= t.opts.Events)
}

// event reads one event that arrived at `at` in the read numbered read
// (whose kernel receive stamp is rx; zero where not measured), appending
// what it counts to t.out.
func (t *tally) event(typ, data string, at, rx time.Time, read int) {
	if t.goal() {
		return // what follows the stream's end is not its
	}
	known := t.d.Recognised()
	r := t.d.Read(typ, data)
	switch {
	case !known && t.d.Recognised():
		// Recognised now: the held events are read again in the protocol.
		again := probe.NewDialect(t.d.Protocol())
		held := t.held
		t.held, t.settled = nil, true
		for _, h := range held {
			t.count(again.Read(h.typ, h.data), h.at, h.rx, h.read)
		}
	case !t.settled:
		t.held = append(t.held, heldEvent{typ: typ, data: data, at: at, rx: rx, read: read})
		if len(t.held) >= holdMax || (t.opts.Events > 0 && t.content+len(t.held) >= t.opts.Events) {
			t.settle()
		}
		return
	}
	t.count(r, at, rx, read)
}

// settle counts the held events as the protocol reads them so far
// (plain SSE: each is content), at the end of the stream or when too
// many are held.
func (t *tally) settle() {
	held := t.held
	t.held, t.settled = nil, true
	d := probe.NewDialect(t.d.Protocol())
	for _, h := range held {
		t.count(d.Read(h.typ, h.data), h.at, h.rx, h.read)
	}
}

// count records one event as its protocol reads it.
func (t *tally) count(r probe.Reading, at, rx time.Time, read int) {
	if t.goal() {
		return
	}
	e := received{at: at, rx: rx}
	if r.SentUnixNano > 0 {
		e.sent = time.Unix(0, r.SentUnixNano)
	}
	if !t.firstEvent {
		t.firstEvent = true
		e.isFirst, e.first = true, at.Sub(t.start)
	}
	t.events++
	if r.Content {
		e.content = true
		if t.content == 0 {
			t.firstContent, t.contentFrom = at.Sub(t.start), at
		} else {
			e.hasGap, e.gap = true, at.Sub(t.lastContent)
		}
		t.content++
		t.lastContent = at
		t.arrivals.add(e.sent, read, t.opts.MaxLatency, at)
	}
	t.completed = t.completed || r.Final
	t.errorEvent = t.errorEvent || r.Error != nil
	t.out = append(t.out, e)
}

// take returns what was counted since the last take.
func (t *tally) take() []received {
	out := t.out
	t.out = t.out[:0]
	if cap(t.out) > 64 {
		t.out = nil // a burst's batch is not kept while idle
	}
	return out
}

// contentRate is the stream's content events per second, from its
// request to its last content event (the time to the first content
// included: how fast the answer arrives, as its reader sees it); false
// without content.
func (t *tally) contentRate() (float64, bool) {
	d := t.lastContent.Sub(t.start)
	if t.content == 0 || d <= 0 {
		return 0, false
	}
	return float64(t.content) / d.Seconds(), true
}

// ending is how the reading of a stream stopped.
type ending int

const (
	// stopped: the load stopped reading (the stream's goal, the run's
	// end).
	stopped ending = iota
	// endEOF: the body ended cleanly; endMidEvent: inside an event.
	endEOF
	endMidEvent
	// endBroken: the connection broke off, or the body's framing or
	// coding did; endSilent: nothing arrived for the idle timeout.
	endBroken
	endSilent
)

// endKind judges how a stream that opened ended.
func (t *tally) endKind(how ending) (kind Kind, ended bool) {
	if !t.settled {
		t.settle()
	}
	p := t.d.Protocol()
	switch {
	case t.errorEvent:
		return KindErrorEvent, false
	case t.goal() || how == stopped:
		return "", false
	case how == endSilent:
		return KindCutSilent, false
	case how != endEOF:
		return KindCutBroken, false
	case p.HasFinal():
		return NoFinalKind(p), false
	case t.opts.Events > 0:
		return KindCutEOF, false
	}
	return "", true // a plain stream may end
}

// summary is what the recorder keeps of the stream at its end.
func (t *tally) summary(at time.Time, kind Kind, ended bool, encoding string) streamEnd {
	e := streamEnd{at: at, opened: true, kind: kind, ended: ended, completed: t.completed, buffered: looksBuffered(&t.arrivals),
		protocol: t.d.Protocol(), encoding: encoding, content: int64(t.content)}
	if t.content > 0 {
		e.hasFirstContent, e.firstContent, e.firstContentAt = true, t.firstContent, t.contentFrom
	}
	e.rate, e.hasRate = t.contentRate()
	return e
}
