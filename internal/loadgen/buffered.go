package loadgen

import (
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// arrivals keeps what the buffered judgement needs of a stream's content
// events (the probe judges those too), a few counters, not the events.
type arrivals struct {
	prevSent time.Time
	prevRead int
	// pairs are consecutive events sent at least probe.MinSentApart apart;
	// coalesced those of them that arrived in one read.
	pairs, coalesced int
	// late events arrived more than the maximum latency after they were
	// sent.
	late int
	// events and stamped (carrying their send time) so far; shared
	// arrived in a read with another event. inRead counts the events of
	// the read numbered prevRead.
	events, stamped, shared, inRead int
}

// add counts one event, which arrived in the read numbered read (reads
// from the connection, from 1).
func (a *arrivals) add(sent time.Time, read int, maxLatency time.Duration, arrived time.Time) {
	a.events++
	sameRead := read == a.prevRead && a.events > 1
	switch {
	case !sameRead:
		a.inRead = 1
	case a.inRead == 1:
		a.inRead, a.shared = 2, a.shared+2
	default:
		a.inRead++
		a.shared++
	}
	a.prevRead = read
	if sent.IsZero() {
		return
	}
	a.stamped++
	if arrived.Sub(sent) > maxLatency {
		a.late++
	}
	if !a.prevSent.IsZero() && sent.Sub(a.prevSent) >= probe.MinSentApart {
		a.pairs++
		if sameRead {
			a.coalesced++
		}
	}
	a.prevSent = sent
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
