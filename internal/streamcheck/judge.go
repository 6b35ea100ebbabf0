package streamcheck

import (
	"fmt"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Problem is an expectation the stream missed.
type Problem struct {
	// Field is the expectation's attribute ("min_events"), or "" for the
	// stream's outcome itself.
	Field string
	// Outcome is the stream's.
	Outcome probe.Outcome
	// Message says what happened and which settings to look at.
	Message string
	// Rules are the rules whose settings break a stream this way.
	Rules []string
}

// String is the problem as a diagnostic says it: the expectation first.
func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// lookAt names, for each failing outcome, the settings that cause it, by
// rule: the catalogue explains each.
var lookAt = map[probe.Outcome][]string{
	probe.Buffered: {rules.ForwardRequestBuffers, rules.BackendInheritsBuffering, rules.AppGWResponseBuffering, rules.ResponseCaching, rules.OpenAIContentFilter},
	probe.Held:     {rules.AppGWResponseBuffering, rules.DiagnosticBodyLogging, rules.GlobalDiagnostic, rules.ResponseBodyRead, rules.ValidateContent, rules.BodyTransform},
	probe.Cut:      {rules.IdleCut, rules.AppGWRequestTimeout, rules.FrontDoorTimeout, rules.AGCRouteTimeout},
	probe.Refused:  {rules.ConsumptionTier},
	probe.NotSSE:   {rules.ResponseHeadersChanged, rules.BackendHeaders},
}

// Judge checks a report against the expectations.
func Judge(rep probe.Report, e Expect) []Problem {
	var out []Problem
	o := rep.Outcome
	if o != probe.Streamed {
		out = append(out, Problem{Outcome: o, Message: outcomeMessage(rep, o), Rules: lookAt[o]})
	}
	if n := ContentEvents(rep); n < e.MinEvents && o == probe.Streamed {
		out = append(out, Problem{Field: FieldMinEvents, Outcome: o,
			Message: fmt.Sprintf("%d content events arrived in %s, fewer than min_events (%d): the stream ended early, or the backend sends less than expected", n, e.Duration, e.MinEvents)})
	}
	if m := rep.MCP; m != nil && m.CallError != nil {
		out = append(out, Problem{Field: FieldMCPTool, Outcome: o,
			Message: fmt.Sprintf("the tools/call of %s failed: %s: the stream may stream, but the call does not work (its arguments, the tool's name)", m.Tool, m.CallError.Error())})
	}
	if e.MaxFirstEvent > 0 && (rep.FirstEventMS == nil || *rep.FirstEventMS > ms(e.MaxFirstEvent)) && o != probe.Refused && o != probe.Error && o != probe.NotSSE {
		got := "no event arrived"
		if rep.FirstEventMS != nil {
			got = "the first event arrived after " + msText(*rep.FirstEventMS)
		}
		out = append(out, Problem{Field: FieldMaxFirstEvent, Outcome: o, Rules: lookAt[probe.Held],
			Message: fmt.Sprintf("%s, later than max_first_event (%s): a hop that holds the response (body logging, a policy that reads the body) delays the first event", got, e.MaxFirstEvent)})
	}
	return out
}

// ContentEvents counts the events that carried content in the stream's
// protocol (a token, a delta, a progress notification; every event of a
// plain stream): what min_events counts.
func ContentEvents(rep probe.Report) int { return rep.Coalescing.Events }

func outcomeMessage(rep probe.Report, o probe.Outcome) string {
	msg := rep.Error
	if f := rep.Fault; f != nil && f.Hop != "" {
		msg = f.Hop + ": " + msg
	}
	if rs := lookAt[o]; len(rs) > 0 {
		msg += ": look at " + ruleList(rs)
	}
	return msg
}

// ruleList names rules with their summaries.
func ruleList(ids []string) string {
	var s string
	for i, id := range ids {
		if i > 0 {
			s += "; "
		}
		r, _ := rules.Lookup(id)
		s += id + " (" + r.Name + ")"
	}
	return s
}
