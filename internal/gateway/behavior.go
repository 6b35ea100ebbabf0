package gateway

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/apimtier"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Behavior is how a hop treats a response, derived from its settings by
// the rules of package rules.
type Behavior struct {
	// Refuse, when set, is why requests are refused (503).
	Refuse string
	// NoForward, when set, is why the request is never forwarded (500).
	NoForward string
	// Unit > 0 relays the body in units of that many bytes (the rest when
	// the stream ends); 0 relays each read at once.
	Unit int
	// HoldAll holds the whole body until the stream ends.
	HoldAll bool
	// Cache stores complete responses and replays them.
	Cache bool
	// HeaderTimeout bounds the wait for the upstream's response headers.
	HeaderTimeout time.Duration
	// UpstreamIdle cuts a response whose upstream is silent that long.
	UpstreamIdle time.Duration
	// DownstreamIdle cuts a connection on which nothing reached the client
	// for that long.
	DownstreamIdle time.Duration
	// IdleClock names the clock UpstreamIdle runs, for the cut's message
	// (default "request timeout").
	IdleClock string
	// Total cuts a response that long after the request was forwarded.
	Total time.Duration
	// SilentCut: a cut (or a header timeout) drops the flow without a
	// word: the client's connection stays open and hears nothing more.
	SilentCut bool
	// Rules are the rule IDs behind the behaviour, for the response
	// header X-Sseready-Gateway and the logs.
	Rules []string
	// Warnings are the policy check's warnings: what the settings leave
	// unknown (a named value, a fragment), which the hop cannot enact and
	// relays as if it were harmless.
	Warnings []PolicyNote
	// NotEnacted are the policy check's errors that the emulator has no
	// behaviour for (a return-response that replaces the stream, a
	// Content-Type override): the stream it relays is not the real one,
	// so a run through it proves nothing.
	NotEnacted []PolicyNote
}

// PolicyNote is a finding of the policy check the hop does not enact.
type PolicyNote struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (n PolicyNote) String() string { return n.Rule + ": " + n.Message }

// Effect names what the hop does to a response body, in one word:
// refuse, no-forward, hold-all, buffer or stream.
func (b Behavior) Effect() string {
	switch {
	case b.Refuse != "":
		return "refuse"
	case b.NoForward != "":
		return "no-forward"
	case b.HoldAll:
		return "hold-all"
	case b.Unit > 0:
		return "buffer"
	}
	return "stream"
}

func (b Behavior) String() string {
	parts := []string{b.Effect()}
	if b.Unit > 0 && b.Refuse == "" && b.NoForward == "" && !b.HoldAll {
		parts[0] = fmt.Sprintf("buffer=%d", b.Unit)
	}
	if b.Cache {
		parts = append(parts, "cache")
	}
	if b.SilentCut {
		parts = append(parts, "silent-cut")
	}
	if len(b.Rules) > 0 {
		parts = append(parts, "rules="+strings.Join(b.Rules, ","))
	}
	return strings.Join(parts, "; ")
}

// Derive computes the behaviour of the configured hop, on the hop's
// clock (TimeScale applied).
func Derive(c Config) (Behavior, error) {
	if err := c.setDefaults(); err != nil {
		return Behavior{}, err
	}
	switch {
	case c.AppGW != nil:
		return deriveAppGW(c), nil
	case c.Relay != nil:
		return deriveRelay(c), nil
	}
	return deriveAPIM(c)
}

func deriveRelay(c Config) Behavior {
	r := c.Relay
	b := Behavior{UpstreamIdle: c.scaled(r.Idle), HeaderTimeout: c.scaled(r.Idle), IdleClock: r.Clock,
		Total: c.scaled(r.Total), SilentCut: r.Silent}
	if b.Total > 0 && (b.HeaderTimeout == 0 || b.Total < b.HeaderTimeout) {
		b.HeaderTimeout = b.Total
	}
	for _, id := range r.Rules {
		if _, ok := effectOf(id); ok {
			b.enact(id, c, "")
		} else if !slices.Contains(b.Rules, id) {
			b.Rules = append(b.Rules, id) // a clock's rule
		}
	}
	sort.Strings(b.Rules)
	return b
}

func deriveAppGW(c Config) Behavior {
	b := Behavior{UpstreamIdle: c.scaled(c.AppGW.RequestTimeout), HeaderTimeout: c.scaled(c.AppGW.RequestTimeout)}
	if c.AppGW.ResponseBuffering {
		b.enact(rules.AppGWResponseBuffering, c, "")
	}
	return b
}

func deriveAPIM(c Config) (Behavior, error) {
	a := c.APIM
	b := Behavior{
		DownstreamIdle: c.scaled(LoadBalancerIdle),
		HeaderTimeout:  c.scaled(DefaultForwardTimeout),
	}
	if a.SKU != "" {
		ok, err := apimtier.SupportsSSE(a.SKU)
		if err != nil {
			return b, err
		}
		if !ok {
			b.enact(rules.ConsumptionTier, c, a.SKU)
		}
	}
	comp, err := composePolicies(a.Policies)
	if err != nil {
		return b, err
	}
	// No global policy given: above the highest scope given stands APIM's
	// global default, and a <base /> left in the <backend> takes its
	// forward-request, which buffers.
	scope := comp.Top
	if comp.OverDefault {
		scope = apimcheck.Global
		if comp.RunsDefaultForward() {
			b.enact(rules.BackendInheritsBuffering, c, "")
		}
	}
	doc := comp.Doc
	res := apimcheck.Check(doc, apimcheck.Options{Scope: scope, Fragments: a.Fragments})
	for _, f := range res.Findings {
		if comp.OverDefault && f.Line == 0 && f.Element == "forward-request" {
			// About the global default's forward-request, which no file
			// holds: the inheritance above says what it does.
			continue
		}
		switch f.Severity {
		case rules.Error:
			if _, ok := effectOf(f.Rule); !ok {
				b.NotEnacted = append(b.NotEnacted, PolicyNote{f.Rule, f.Message})
				continue
			}
			b.enact(f.Rule, c, "")
		case rules.Warning:
			b.Warnings = append(b.Warnings, PolicyNote{f.Rule, f.Message})
		}
	}
	for _, d := range a.Diagnostics {
		if apimdiag.WrittenBlocksLogBodies(d) && apimdiag.AppliesToAPI(d, a.Diagnostics) {
			b.enact(rules.DiagnosticBodyLogging, c, "")
		}
	}
	if t, ok := forwardTimeout(doc); ok {
		b.HeaderTimeout = c.scaled(t)
	}
	sort.Strings(b.Rules)
	return b, nil
}

// composePolicies parses the policies and composes them as APIM does
// (apimcheck.Compose, the composition the chain check uses too).
func composePolicies(ps []Policy) (apimcheck.Composition, error) {
	if len(ps) == 0 {
		return apimcheck.Composition{}, fmt.Errorf("gateway: API Management needs a policy document")
	}
	var scoped []apimcheck.ScopedPolicy
	for _, p := range ps {
		scope, err := apimcheck.ParseScope(string(p.Scope))
		if err != nil {
			return apimcheck.Composition{}, fmt.Errorf("gateway: the APIM policy %s: %w", p.name(), err)
		}
		p.Scope = scope
		d, err := apimpolicy.Parse(p.XML)
		var syn *apimpolicy.SyntaxError
		switch {
		case errors.As(err, &syn) && p.Source != "":
			return apimcheck.Composition{}, fmt.Errorf("%s:%d:%d: %s (the %s-scope APIM policy)", p.Source, syn.Pos.Line, syn.Pos.Column, syn.Msg, scope)
		case err != nil:
			return apimcheck.Composition{}, fmt.Errorf("gateway: the APIM policy %s: %w", p.name(), err)
		}
		if len(ps) > 1 && (d.Root() == nil || d.Root().Name != "policies") {
			return apimcheck.Composition{}, fmt.Errorf("gateway: the APIM policy %s needs a <policies> root to stand at a scope (a <fragment> is included, not attached)", p.name())
		}
		name := p.Source
		if name == "" {
			name = "a policy"
		}
		scoped = append(scoped, apimcheck.ScopedPolicy{Scope: scope, Doc: d, Name: name})
	}
	comp, err := apimcheck.Compose(scoped)
	if err != nil {
		return comp, fmt.Errorf("gateway: %w", err)
	}
	return comp, nil
}

// name is how errors refer to the policy.
func (p Policy) name() string {
	if p.Source != "" {
		return fmt.Sprintf("%s (%s scope)", p.Source, p.Scope)
	}
	return fmt.Sprintf("(%s scope)", p.Scope)
}

// enact applies the rule's effect (see ruleEffects), once; a rule the
// emulator does not enact changes nothing. detail is the SKU for a
// refusal.
func (b *Behavior) enact(rule string, c Config, detail string) {
	e, ok := effectOf(rule)
	if !ok || slices.Contains(b.Rules, rule) {
		return
	}
	b.Rules = append(b.Rules, rule)
	switch e.effect {
	case bufferUnits:
		b.Unit = APIMBufferUnit
	case appGWBuffer:
		b.Unit = c.AppGWBufferSize
	case filterChunks:
		b.Unit = c.ContentFilterChunk
	case holdAll:
		b.HoldAll = true
	case cacheResponse:
		b.Cache = true
	case noForward:
		b.NoForward = "the policy's <backend> forwards nothing (" + rule + ")"
	case refuse:
		b.Refuse = fmt.Sprintf("the %s tier does not support long-running connections (%s)", detail, rule)
	}
}

// forwardTimeout is how long the document's first forward-request waits
// for headers, when that is known.
func forwardTimeout(doc *apimpolicy.Document) (time.Duration, bool) {
	var out time.Duration
	found := false
	apimpolicy.Walk(doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		if e, ok := n.(*apimpolicy.Element); ok && e.Name == "forward-request" && !found {
			out, found = apimcheck.ForwardRequestTimeout(e)
		}
		return !found
	})
	return out, found
}
