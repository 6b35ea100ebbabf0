// Package streamapi decides which APIs stream, so that a gate over a whole
// API Management instance (an APIOps tree, a Terraform plan) fails the
// build on the APIs that stream, not on every plain REST API beside them.
//
// An API streams ("yes") when something says so: its specification
// declares a text/event-stream response, a route is a known streaming LLM
// or agent route, its backend is an Azure OpenAI, AI Services or Foundry
// endpoint, an LLM policy or a streaming forward-request is on its path, a
// policy reads the request's stream flag, it is an MCP server API, or the
// user says so. It does not ("no") when the user says so, or when its
// specification declares the media types of its responses and none is
// text/event-stream, or its type is one that carries no event stream.
// Otherwise the answer is "unknown".
//
// Findings follow the verdict (Decision.Adjust): errors stay errors on
// "yes", become warnings that say "if this API streams" on "unknown", and
// info on "no". Rules that hold whatever streams keep their severity.
package streamapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Verdict says whether an API streams.
type Verdict string

const (
	Yes     Verdict = "yes"
	No      Verdict = "no"
	Unknown Verdict = "unknown"
)

// Mode is how the user wants APIs told apart.
type Mode string

const (
	// Auto decides each API from what the sources say (the default).
	Auto Mode = "auto"
	// All treats every API as a streaming API, as sseready did before it
	// told them apart.
	All Mode = "all"
)

// ParseMode reads --streaming; "" is Auto.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", Auto:
		return Auto, nil
	case All:
		return All, nil
	}
	return "", fmt.Errorf("unknown streaming mode %q: use auto (decide each API from its sources) or all (treat every API as streaming)", s)
}

// Options are the user's choices.
type Options struct {
	Mode Mode
	// Named are the APIs the user says stream (--stream-api): each an
	// API's name, path or address.
	Named []string
}

// Decision is the verdict on one API and the evidence for it.
type Decision struct {
	Verdict  Verdict
	Evidence []string
}

// Decide weighs what is known of api. The user's word comes first (--streaming
// all, the API's own marker comment, --stream-api), then what the sources
// say: any sign of a stream makes it "yes".
func Decide(api API, opts Options) Decision {
	if opts.Mode == All {
		return Decision{Yes, []string{"--streaming all treats every API as streaming"}}
	}
	if api.Marker != nil {
		v := Yes
		if !api.Marker.Streams {
			v = No
		}
		return Decision{v, []string{fmt.Sprintf("%s at %s", api.Marker.Text(), api.Marker.Where)}}
	}
	for _, n := range opts.Named {
		if slices.ContainsFunc(api.Names, func(name string) bool { return SameName(name, n) }) {
			return Decision{Yes, []string{fmt.Sprintf("named by --stream-api %s", n)}}
		}
	}
	if ev := api.streamEvidence(); len(ev) > 0 {
		return Decision{Yes, ev}
	}
	if ev := api.noStreamEvidence(); len(ev) > 0 {
		return Decision{No, ev}
	}
	return Decision{Unknown, []string{"nothing on its path says whether it streams: name it with --stream-api, or put <!-- sseready:streams --> or <!-- sseready:no-stream --> at the top of its policy"}}
}

// SameName compares an API's name, path or address with what the user
// wrote (--stream-api): paths without their slashes, names ignoring case
// (APIM's are).
func SameName(name, given string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Trim(strings.TrimSpace(s), "/")) }
	return name != "" && norm(name) == norm(given)
}

// Adjust returns f as it stands on an API with this decision.
func (d Decision) Adjust(f rules.Finding) rules.Finding {
	if f.Severity == rules.Accepted || f.Severity == rules.Info {
		return f
	}
	if r, ok := rules.Lookup(f.Rule); ok && r.StreamIndependent {
		return f
	}
	switch d.Verdict {
	case Unknown:
		if f.Severity == rules.Error {
			f.Severity = rules.Warning
			f.Message = "if this API streams: " + f.Message
		}
	case No:
		f.Severity = rules.Info
		f.Message += " (this API does not stream: " + strings.Join(d.Evidence, "; ") + ")"
	}
	return f
}
