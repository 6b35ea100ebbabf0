// Package rules is the catalogue of SSE rules: what breaks a Server-Sent
// Events stream on its way through Azure gateways, each with a stable ID,
// a severity, a message, its source in FACTS.md and, where one is safe, an
// automatic fix. The policy checker, the generator, the CLI, the provider
// and the gateway emulator all read this one list.
package rules

import (
	"fmt"
	"sort"
)

// Severity says how bad a finding is. Only errors make a configuration
// not ready; warnings name what cannot be known from here; infos are
// facts worth knowing. Accepted is a finding the user accepted, with a
// reason: it stays visible and does not fail the gate.
type Severity string

const (
	Error    Severity = "error"
	Warning  Severity = "warning"
	Info     Severity = "info"
	Accepted Severity = "accepted"
)

// Hop names a gateway a stream crosses.
const (
	HopAPIM = "apim"
)

// Source is where a rule comes from: a sentence of FACTS.md (quoted
// exactly, so a test can find it) and the public document behind it. Where
// the sources are vague, the rule rests on a named assumption instead.
type Source struct {
	// Facts is a phrase of FACTS.md, verbatim.
	Facts string
	// Assumption, set instead of Facts, says what sseready assumes where
	// no source says it.
	Assumption string
	// URL is the public documentation the fact comes from.
	URL string
}

// Rule is one entry of the catalogue.
type Rule struct {
	// ID is stable: users list it to accept a finding, scripts match it.
	ID string
	// Name is a short readable handle for docs.
	Name string
	Hop  string
	// Severity is the usual severity; a finding may be milder where the
	// checker cannot know (see the rule's Why).
	Severity Severity
	// Summary is one line: what breaks the stream.
	Summary string
	// Why explains the rule for the docs.
	Why string
	// Fix says what to do.
	Fix string
	// AutoFix is true when fix_apim_policy, fixed_xml and `sseready lint
	// --fix` apply a fix for this rule by themselves.
	AutoFix bool
	// StreamIndependent is true for a rule whose findings hold whether or
	// not the API streams (a policy APIM cannot compile, a file that is no
	// policy document): on an API that does not stream, or may not, they
	// keep their severity. Every other rule is about the stream, so its
	// findings are milder there (see package streamapi).
	StreamIndependent bool
	Sources           []Source
}

// Finding is one rule's verdict on one place of the user's configuration.
type Finding struct {
	Rule     string
	Severity Severity
	Message  string
	// Line and Column locate the finding in its document (0 when the
	// finding is about the document as a whole).
	Line, Column int
	// Element is the policy element the finding is about, without
	// brackets ("forward-request").
	Element string
	// Attribute is the attribute that holds what the finding is about
	// ("" when it is the element itself or its text).
	Attribute string
	// Fragment names the policy fragment the finding is in, when it is in
	// an included fragment rather than the document itself; Line and
	// Column are then in the fragment's document.
	Fragment string
	// Setting is, for a finding of a whole chain, the setting it is about
	// as a path into the chain ("app_gateway.global",
	// "apim.policies[1].xml"): what a front end maps back to its own
	// names (a resource address, an attribute).
	Setting string
	Hop     string
	// Reason is why the user accepted the finding (severity Accepted).
	Reason string
}

func (f Finding) String() string {
	s := fmt.Sprintf("%d:%d: %s %s: %s", f.Line, f.Column, f.Severity, f.Rule, f.Message)
	if f.Fragment != "" {
		s = "fragment " + f.Fragment + ":" + s
	}
	if f.Severity == Accepted {
		s += " (accepted: " + f.Reason + ")"
	}
	return s
}

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	r, ok := byID[id]
	return r, ok
}

// MustLookup is Lookup for IDs written in this program's code.
func MustLookup(id string) Rule {
	r, ok := byID[id]
	if !ok {
		panic("rules: no rule " + id)
	}
	return r
}

// All returns the catalogue sorted by ID.
func All() []Rule {
	out := append([]Rule(nil), catalogue...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// IDs returns every rule ID, sorted.
func IDs() []string {
	all := All()
	ids := make([]string, len(all))
	for i, r := range all {
		ids[i] = r.ID
	}
	return ids
}

// Finding builds a finding of this rule with its usual severity.
func (r Rule) Finding(line, column int, element, format string, args ...any) Finding {
	return Finding{
		Rule:     r.ID,
		Severity: r.Severity,
		Message:  fmt.Sprintf(format, args...),
		Line:     line,
		Column:   column,
		Element:  element,
		Hop:      r.Hop,
	}
}

// Ready reports whether findings hold no error.
func Ready(findings []Finding) bool {
	for _, f := range findings {
		if f.Severity == Error {
			return false
		}
	}
	return true
}

// Sort orders findings by place, then rule: the document's own first,
// then those in each included fragment.
func Sort(findings []Finding) {
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.Fragment != b.Fragment {
			return a.Fragment < b.Fragment
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
}

// catalogue is every rule: the policy rules and the chain rules.
var catalogue = append(append([]Rule(nil), apimRules...), chainRules...)

var byID = func() map[string]Rule {
	m := make(map[string]Rule, len(catalogue))
	for _, r := range catalogue {
		if _, dup := m[r.ID]; dup {
			panic("rules: duplicate ID " + r.ID)
		}
		m[r.ID] = r
	}
	return m
}()
