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
}

// burstGap is the smallest send gap the judgement looks at.
const burstGap = 10 * time.Millisecond

func (a *arrivals) add(sent, arrived time.Time, maxLatency time.Duration) {
	if sent.IsZero() {
		return
	}
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

// looksBuffered is the one rule for "this stream looks buffered": an
// event held past the maximum latency, or events sent apart that arrived
// in one read (at least two such pairs, and half the pairs: a reader
// late now and then on a busy machine coalesces a pair or two, a
// buffering hop coalesces most). It needs the sender's send time;
// without it no stream looks buffered.
//
// When the probe exports its coalescing rule, this calls it instead.
func looksBuffered(a *arrivals) bool {
	return a.late > 0 || (a.coalesced >= 2 && a.coalesced*2 >= a.pairs)
}
