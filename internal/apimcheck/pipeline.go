package apimcheck

import (
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Policies that cancel the pipeline and answer from the gateway (FACTS.md:
// return-response, mock-response).
func answersItself(name string) bool { return name == "return-response" || name == "mock-response" }

// alwaysAnswers returns the first return-response or mock-response that
// runs for every request in <inbound>: outside any <choose> branch,
// fragments given followed. With one, no request reaches the backend.
func (c *checker) alwaysAnswers(inbound *apimpolicy.Element) *apimpolicy.Element {
	if inbound == nil {
		return nil
	}
	var found *apimpolicy.Element
	c.expand(inbound.Children, nil, func(e *apimpolicy.Element, anc []*apimpolicy.Element) bool {
		switch {
		case found != nil || e.Name == "choose" || (place{ancestors: anc}).buildsOtherMessage():
			return false
		case answersItself(e.Name):
			found = e
			return false
		}
		return true
	})
	return found
}

// answer checks a return-response or mock-response where it stands.
func (c *checker) answer(e *apimpolicy.Element, at place) {
	switch {
	case e == c.neverPast:
		c.report(rules.BackendNeverReached, e.Pos, place{plain: true, ancestors: at.ancestors}, e, "",
			"%s in <inbound> answers every request, so this API or operation never reaches a backend and cannot stream one; what <backend> and <outbound> hold never runs", e.Name)
	case c.answersStreams(e, at):
		c.report(rules.StreamingRefused, e.Pos, at, e, "",
			"%s answers the requests that ask for a stream, so they get the gateway's response instead of the backend's events", e.Name)
	case at.inSection(secOutbound) && !at.inBranch():
		c.report(rules.ResponseReplaced, e.Pos, at, e, "",
			"%s in <outbound> runs for every request, so the client gets its response instead of the backend's stream: remove it or put it in a branch streaming requests do not take", e.Name)
	}
}

// answersStreams reports whether requests that ask for a stream get to e
// and others do not, or get to it for sure: whatever computed the flag,
// e then answers streams.
func (c *checker) answersStreams(e *apimpolicy.Element, at place) bool {
	if c.flow == nil || !at.inBranch() {
		return false
	}
	info := c.flow.info(e)
	if info == nil {
		return false
	}
	if info.reach[wStream] == rYes {
		return true
	}
	if info.reach[wStream] == rNo {
		return false
	}
	for _, w := range flagWorlds[1:] {
		if info.reach[w] != rNo {
			return false
		}
	}
	return true
}
