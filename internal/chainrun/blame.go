package chainrun

import (
	"fmt"
	"net/http"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// Blame completes a probe's report of a stream through the chain with
// what only the chain knows: the hop behind a cut (its recorded cuts), a
// hold or buffering (the hops' behaviours), and a flow a hop dropped
// silently, which the client cannot tell from a silence: a report that
// says streamed or held then says cut, kind dropped_silently. The report
// is of an EventSource's GET; BlameFor takes the request the probe sent.
func (c *Chain) Blame(rep *probe.Report) { c.BlameFor(rep, probe.Request{}) }

// BlameFor is Blame for a report of the request req: the hops'
// behaviours are those for it.
func (c *Chain) BlameFor(rep *probe.Report, req probe.Request) {
	cuts := c.Cuts()
	var silent *Cut
	for i := range cuts {
		if cuts[i].Silent {
			silent = &cuts[i]
			break
		}
	}
	switch {
	case rep.Outcome == probe.Cut && len(cuts) > 0 && rep.Fault != nil:
		rep.Fault.Hop = cuts[0].Hop
	case silent != nil && (rep.Outcome == probe.Streamed || rep.Outcome == probe.Held):
		last := rep.HeadersMS
		if n := len(rep.Events); n > 0 {
			last = rep.Events[n-1].ArrivalMS
		}
		rep.Record(probe.Fault{Kind: probe.DroppedSilently, AfterMS: rep.DurationMS, SilenceMS: rep.DurationMS - last, Hop: silent.Hop},
			fmt.Sprintf("%s dropped the flow silently after %d events (%s): the client's connection stays open and hears nothing more", silent.Hop, len(rep.Events), silent.Reason))
	case (rep.Outcome == probe.Held || rep.Outcome == probe.Buffered) && rep.Fault != nil:
		rep.Fault.Hop = c.holder(rep, APIMRequest(req))
	}
}

// behaviorSeen is what hop g did with req, for a hop whose <outbound>
// reads context.Response decided by the response the client got: the
// emulated hops pass the status and headers through, adding only their
// X-Sseready-* headers, so each hop is taken to have seen that response.
func behaviorSeen(g *gateway.Gateway, req apimcheck.Request, rep *probe.Report) gateway.Behavior {
	b := g.BehaviorFor(req)
	if !b.AwaitsResponse || rep.Status == 0 {
		return b
	}
	h := http.Header{}
	for k, v := range rep.Headers {
		h.Set(k, v)
	}
	req.Response = &apimcheck.Response{StatusCode: rep.Status, StatusReason: http.StatusText(rep.Status), Header: h}
	return g.BehaviorFor(req)
}

// holder names the hop that holds or buffers the stream, client side
// first: for a hold, one that holds everything, else a cache that
// replayed, else one that relays in units (a stream smaller than its unit
// comes out at the end); for buffering the other way round.
func (c *Chain) holder(rep *probe.Report, req apimcheck.Request) string {
	hit := rep.Headers["X-Sseready-Cache"] == "hit"
	kinds := []func(gateway.Behavior) bool{
		func(b gateway.Behavior) bool { return b.HoldAll },
		func(b gateway.Behavior) bool { return b.Cache && hit },
		func(b gateway.Behavior) bool { return b.Unit > 0 || b.Window > 0 },
	}
	if rep.Outcome == probe.Buffered {
		kinds[0], kinds[2] = kinds[2], kinds[0]
	}
	for _, is := range kinds {
		for i, g := range c.Hops {
			if is(behaviorSeen(g, req, rep)) {
				return c.names[i]
			}
		}
	}
	return ""
}
