package loadgen

import (
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// arrivals keeps what the buffered judgement needs of a stream's events,
// a few counters, not the events.
type arrivals struct {
	prevSent, prevArrived time.Time
	// pairs are consecutive events sent at least probe.MinSentApart apart;
	// coalesced those of them that arrived in one read.
	pairs, coalesced int
	// late events arrived more than the maximum latency after they were
	// sent.
	late int
	// events and stamped (carrying their send time) so far; shared
	// arrived in a read with another event.
	events, stamped, shared int
}

// add counts one event.
func (a *arrivals) add(sent, arrived time.Time, maxLatency time.Duration) {
	a.events++
	if sent.IsZero() {
		return
	}
	a.stamped++
	if arrived.Sub(sent) > maxLatency {
		a.late++
	}
	if !a.prevSent.IsZero() && sent.Sub(a.prevSent) >= probe.MinSentApart {
		a.pairs++
		if arrived.Equal(a.prevArrived) { // the same read
			a.coalesced++
		}
	}
	a.prevSent, a.prevArrived = sent, arrived
}

// read counts a read that completed n events.
func (a *arrivals) read(n int) {
	if n > 1 {
		a.shared += n
	}
}

// looksBuffered is the probe's rule for "this stream looks buffered":
// with the sender's send times, an event held past the maximum latency, or
// events sent apart that arrived together (here: in one read); without
// them, events sharing reads.
func looksBuffered(a *arrivals) bool {
	if a.stamped >= 2 {
		return a.late > 0 || probe.BurstsBuffered(a.coalesced, a.pairs)
	}
	return probe.SharedReadsBuffered(a.shared, a.events)
}
