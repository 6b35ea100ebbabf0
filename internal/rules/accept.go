package rules

import (
	"fmt"
	"strings"
)

// Acceptance is a user's decision to accept a rule's findings, with the
// reason. It is written "SSE103" or "SSE103 the reason" ("SSE103: the
// reason" too), the same in accepted_rules, `sseready lint --accept` and
// an inline `<!-- sseready:accept SSE103 the reason -->` comment.
type Acceptance struct {
	Rule   string
	Reason string
}

// ParseAcceptance reads one acceptance. An unknown rule ID is an error
// that lists the rules.
func ParseAcceptance(s string) (Acceptance, error) {
	s = strings.TrimSpace(s)
	id, reason := s, ""
	if i := strings.IndexAny(s, " \t\r\n:"); i >= 0 {
		id, reason = s[:i], strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[i:]), ":"))
	}
	if id == "" {
		return Acceptance{}, fmt.Errorf("no rule ID: write a rule ID such as SSE103, then the reason")
	}
	if _, ok := byID[id]; !ok {
		return Acceptance{}, fmt.Errorf("%q is not a rule ID; the rules are %s", id, strings.Join(IDs(), ", "))
	}
	return Acceptance{Rule: id, Reason: reason}, nil
}

// Accept turns f into an accepted finding with the reason given, or
// where it was accepted when no reason was given. Accepting an accepted
// finding keeps the first reason.
func (f *Finding) Accept(reason, where string) {
	if f.Severity == Accepted {
		return
	}
	if reason == "" {
		reason = "accepted " + where + " (no reason given)"
	}
	f.Severity, f.Reason = Accepted, reason
}
