package probe

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Quantiles summarise a set of values exactly (nearest rank over the
// sorted values): a probe reads one stream, so it keeps them all.
type Quantiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	Max float64 `json:"max"`
}

// quantiles is nil for no values.
func quantiles(xs []float64) *Quantiles {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	rank := func(q float64) float64 { return s[int(math.Ceil(q*float64(len(s))))-1] }
	return &Quantiles{P50: rank(0.50), P95: rank(0.95), Max: s[len(s)-1]}
}

// Coalescing says how the events came off the connection: one per read
// on a stream relayed as it is written, several per read behind a hop
// that buffers. It needs no timestamps from the sender.
type Coalescing struct {
	// Events is how many events it looks at: every event, or on a chat
	// completions stream the chunks that carry content (the role, finish
	// and usage chunks and [DONE] come back to back by design).
	Events int `json:"events"`
	// Reads is how many reads from the connection completed those events.
	Reads int `json:"reads"`
	// MaxEventsPerRead is the most that one read completed.
	MaxEventsPerRead int `json:"max_events_per_read"`
	// SharedEvents counts the events that arrived in a read with another.
	SharedEvents int `json:"shared_events"`
	// BytesPerRead are the sizes of those reads, in bytes.
	BytesPerRead *Quantiles `json:"bytes_per_read"`
}

func coalescing(events []Event) Coalescing {
	c := Coalescing{Events: len(events)}
	perRead := map[int]int{}
	var bytes []float64
	for _, e := range events {
		if perRead[e.Read] == 0 {
			bytes = append(bytes, float64(e.readBytes))
		}
		perRead[e.Read]++
	}
	c.Reads = len(perRead)
	for _, n := range perRead {
		c.MaxEventsPerRead = max(c.MaxEventsPerRead, n)
		if n > 1 {
			c.SharedEvents += n
		}
	}
	c.BytesPerRead = quantiles(bytes)
	return c
}

// coalesced is the verdict without timestamps (SharedReadsBuffered).
func (c Coalescing) coalesced() bool { return SharedReadsBuffered(c.SharedEvents, c.Events) }

// SharedReadsBuffered is the verdict on a stream's reads without the
// sender's timestamps: at least three events, and at least half of them,
// arrived in a read with another. One late read on a busy machine joins
// two events; a buffering hop joins most. The probe and the load
// generator judge by it.
func SharedReadsBuffered(shared, events int) bool { return shared >= 3 && 2*shared >= events }

// BurstsBuffered is the verdict with the sender's timestamps: of the pairs
// of consecutive events sent at least MinSentApart apart, at least two,
// and a quarter, arrived together.
func BurstsBuffered(bursts, pairs int) bool { return pairs > 0 && bursts >= 2 && bursts*4 >= pairs }

// gaps are the times between consecutive events' arrivals, in ms.
func gaps(events []Event) []float64 {
	var out []float64
	for i := 1; i < len(events); i++ {
		out = append(out, events[i].ArrivalMS-events[i-1].ArrivalMS)
	}
	return out
}

// minSentApart is how far apart two events must have been sent for their
// arriving together to count as coalescing: closer, the sender itself may
// have written them together.
const minSentApart = 10 // ms

// MinSentApart is minSentApart as a duration, for the load generator.
const MinSentApart = minSentApart * time.Millisecond

// judgeTiming looks for a hold or buffering in events that arrived in
// full (the stream was not cut): with the sender's timestamps when at
// least two events carry them, else from the reads alone. headersMS is
// when the response headers arrived.
func judgeTiming(events []Event, c Coalescing, headersMS float64, maxLatency time.Duration) (*Fault, string) {
	if len(events) == 0 {
		return nil, ""
	}
	maxMS := float64(maxLatency.Microseconds()) / 1000
	first, last := events[0], events[len(events)-1]
	var stamped int
	for _, e := range events {
		if e.LatencyMS != nil {
			stamped++
		}
	}
	wait := first.ArrivalMS - headersMS
	if stamped >= 2 {
		if len(events) >= 2 && first.LatencyMS != nil && last.sentNano > 0 && *first.LatencyMS > maxMS && first.arrived.UnixNano() >= last.sentNano {
			return &Fault{Kind: ReleasedAtEnd, AfterMS: first.ArrivalMS, SilenceMS: wait},
				fmt.Sprintf("every event was held until the last was sent: the first arrived %.0f ms after it was sent", *first.LatencyMS)
		}
	} else if len(events) >= 2 && c.coalesced() && wait > maxMS && last.ArrivalMS-first.ArrivalMS <= wait/4 {
		return &Fault{Kind: ReleasedAtEnd, AfterMS: first.ArrivalMS, SilenceMS: wait},
			fmt.Sprintf("all %d events arrived together, in %d reads, %.0f ms after the response headers", len(events), c.Reads, wait)
	}
	// gapBefore is the silence before event i's read.
	gapBefore := func(i int) float64 {
		if i == 0 {
			return events[0].ArrivalMS - headersMS
		}
		return events[i].ArrivalMS - events[i-1].ArrivalMS
	}
	var late []float64
	firstLate := -1
	for i, e := range events {
		if e.LatencyMS != nil && *e.LatencyMS > maxMS {
			late = append(late, *e.LatencyMS)
			if firstLate < 0 {
				firstLate = i
			}
		}
	}
	if len(late) > 0 {
		sort.Float64s(late)
		return &Fault{Kind: Late, AfterMS: events[firstLate].ArrivalMS, SilenceMS: gapBefore(firstLate)},
			fmt.Sprintf("%d of %d events arrived more than %s after they were sent (up to %.0f ms)", len(late), len(events), maxLatency, late[len(late)-1])
	}
	if stamped >= 2 {
		// Sent apart, received together: within a quarter of the time
		// between their sending.
		bursts, pairs, firstBurst := 0, 0, -1
		for i := 1; i < len(events); i++ {
			a, b := events[i-1], events[i]
			if a.LatencyMS == nil || b.LatencyMS == nil {
				continue
			}
			sentGap := float64(b.sentNano-a.sentNano) / 1e6
			if sentGap < minSentApart {
				continue
			}
			pairs++
			if b.ArrivalMS-a.ArrivalMS < sentGap/4 {
				bursts++
				if firstBurst < 0 {
					firstBurst = i - 1
				}
			}
		}
		if BurstsBuffered(bursts, pairs) {
			return &Fault{Kind: Coalesced, AfterMS: events[firstBurst].ArrivalMS, SilenceMS: gapBefore(firstBurst)},
				fmt.Sprintf("%d of %d events sent at least %d ms after the one before arrived together with it", bursts, pairs, minSentApart)
		}
		return nil, ""
	}
	if c.coalesced() {
		i := firstShared(events)
		return &Fault{Kind: Coalesced, AfterMS: events[i].ArrivalMS, SilenceMS: gapBefore(i)},
			fmt.Sprintf("%d of %d events arrived in a read with others (up to %d in one read)", c.SharedEvents, c.Events, c.MaxEventsPerRead)
	}
	return nil, ""
}

// firstShared is the index of the first event whose read completed
// another event too.
func firstShared(events []Event) int {
	for i := 1; i < len(events); i++ {
		if events[i].Read == events[i-1].Read {
			return i - 1
		}
	}
	return 0
}
