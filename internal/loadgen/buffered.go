package loadgen

import "time"

// arrivals keeps what the buffered judgement needs of a stream's events,
// a few counters, not the events.
type arrivals struct {
	prevSent, prevArrived time.Time
	// pairs are consecutive events sent at least burstGap apart;
	// coalesced those of them that arrived in one read.
	pairs, coalesced int
	// late events arrived more than the maximum latency after they were
	// sent.
	late int
	// events and stamped (carrying their send time) so far; shared
	// arrived in a read with another event.
	events, stamped, shared int
}

// burstGap is the smallest send gap the judgement looks at: closer, the
// sender itself may have written the events together.
const burstGap = 10 * time.Millisecond

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
	if !a.prevSent.IsZero() && sent.Sub(a.prevSent) >= burstGap {
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

// looksBuffered is the one rule for "this stream looks buffered". With
// the sender's send times: an event held past the maximum latency, or
// events sent apart that arrived in one read (at least two such pairs,
// and half the pairs: a reader late now and then on a busy machine joins
// a pair or two, a buffering hop joins most). Without them, the probe's
// rule on reads: at least three events, and half of them, arrived in a
// read with another.
//
// The probe keeps its own rule unexported (probe.Coalescing.coalesced);
// when it is exported, the no-timestamp branch calls it.
func looksBuffered(a *arrivals) bool {
	if a.stamped >= 2 {
		return a.late > 0 || (a.coalesced >= 2 && a.coalesced*2 >= a.pairs)
	}
	return a.shared >= 3 && 2*a.shared >= a.events
}
