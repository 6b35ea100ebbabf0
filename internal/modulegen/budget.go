package modulegen

import (
	"fmt"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// flagOf names the sseready init flag behind a stream profile field.
var flagOf = map[string]string{
	streamprofile.FieldMaxEventGap:      "max-event-gap",
	streamprofile.FieldHeartbeat:        "heartbeat",
	streamprofile.FieldMaxTimeToHeaders: "max-time-to-headers",
	streamprofile.FieldHops:             "hops",
}

// budget runs the stream profile on the spec's timing and hops, as the
// generated module's sseready_stream_profile will: what it finds wrong
// with the path (a silence longer than an idle cut, say) the module
// cannot fix, so Generate lists it before the apply.
func (s Spec) budget() (streamprofile.Budget, []*input.Error) {
	var p streamprofile.Profile
	var errs []*input.Error
	dur := func(field, v string) time.Duration {
		if v == "" {
			return 0
		}
		d, err := input.Duration(field, v)
		if err != nil {
			errs = append(errs, err)
		}
		return d
	}
	p.MaxEventGap = dur("max-event-gap", s.MaxEventGap)
	p.HeartbeatInterval = dur("heartbeat", s.Heartbeat)
	p.MaxTimeToHeaders = dur("max-time-to-headers", s.MaxTimeToHeaders)
	p.Hops = []streamprofile.Hop{}
	for _, h := range s.Hops {
		p.Hops = append(p.Hops, streamprofile.Hop(h))
	}
	if len(errs) > 0 {
		return streamprofile.Budget{}, errs
	}
	b, perrs := streamprofile.Plan(p)
	for _, e := range perrs {
		if f, ok := flagOf[e.Field]; ok {
			e.Field = f
		}
		errs = append(errs, e)
	}
	return b, errs
}

// pathProblems are the budget's error and warning findings, as README
// lines.
func pathProblems(b streamprofile.Budget) []string {
	var out []string
	for _, f := range b.Findings {
		if f.Severity == rules.Error || f.Severity == rules.Warning {
			out = append(out, fmt.Sprintf("%s %s (%s): %s", f.Severity, f.Rule, f.Hop, f.Message))
		}
	}
	return out
}
