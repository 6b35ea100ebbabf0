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
	// Rules are the rule IDs behind the behaviour, for the response
	// header X-Sseready-Gateway and the logs.
	Rules []string
	// Warnings are the policy check's warnings: what the settings leave
	// unknown (a named value, a fragment), which the hop cannot enact and
	// relays as if it were harmless.
	Warnings []string
	// NotEnacted are the policy check's errors that the emulator has no
	// behaviour for (a return-response that replaces the stream, a
	// Content-Type override): the stream it relays is not the real one,
	// so a run through it proves nothing.
	NotEnacted []string
}

func (b Behavior) String() string {
	var parts []string
	switch {
	case b.Refuse != "":
		parts = append(parts, "refuse")
	case b.NoForward != "":
		parts = append(parts, "no-forward")
	case b.HoldAll:
		parts = append(parts, "hold-all")
	case b.Unit > 0:
		parts = append(parts, fmt.Sprintf("buffer=%d", b.Unit))
	default:
		parts = append(parts, "stream")
	}
	if b.Cache {
		parts = append(parts, "cache")
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
	if c.AppGW != nil {
		return deriveAppGW(c), nil
	}
	return deriveAPIM(c)
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
	doc, top, err := effectivePolicy(a.Policies)
	if err != nil {
		return b, err
	}
	composed := false
	if top != apimcheck.Global && doc.Root() != nil && doc.Root().Name == "policies" {
		// No global policy given: above the highest scope given stands
		// APIM's global default, and a <base /> left in the <backend> takes
		// its forward-request, which buffers.
		def, fwd := globalDefault()
		if doc, err = apimpolicy.Inherit(def, doc); err != nil {
			return b, fmt.Errorf("gateway: composing over APIM's global default: %w", err)
		}
		top, composed = apimcheck.Global, true
		if holds(doc, fwd) {
			b.enact(rules.BackendInheritsBuffering, c, "")
		}
	}
	res := apimcheck.Check(doc, apimcheck.Options{Scope: top})
	for _, f := range res.Findings {
		if composed && f.Line == 0 && f.Element == "forward-request" {
			// About the global default's forward-request, which no file
			// holds: the inheritance above says what it does.
			continue
		}
		switch f.Severity {
		case rules.Error:
			if _, ok := effectOf(f.Rule); !ok {
				b.NotEnacted = append(b.NotEnacted, f.Rule+": "+f.Message)
				continue
			}
			b.enact(f.Rule, c, "")
		case rules.Warning:
			b.Warnings = append(b.Warnings, f.Rule+": "+f.Message)
		}
	}
	for _, d := range a.Diagnostics {
		if logsBodies(d) && apimdiag.AppliesToAPI(d, a.Diagnostics) {
			b.enact(rules.DiagnosticBodyLogging, c, "")
		}
	}
	if t, ok := forwardTimeout(doc); ok {
		b.HeaderTimeout = c.scaled(t)
	}
	sort.Strings(b.Rules)
	return b, nil
}

// effectivePolicy composes the policies down the scope chain, and
// returns the composition with the highest scope given: a <base /> left
// in it inherits from above that scope (deriveAPIM composes it over
// APIM's global default when that scope is not global).
func effectivePolicy(ps []Policy) (*apimpolicy.Document, apimcheck.Scope, error) {
	if len(ps) == 0 {
		return nil, "", fmt.Errorf("gateway: API Management needs a policy document")
	}
	byScope := map[apimcheck.Scope]Policy{}
	for _, p := range ps {
		scope, err := apimcheck.ParseScope(string(p.Scope))
		if err != nil {
			return nil, "", fmt.Errorf("gateway: the APIM policy %s: %w", p.name(), err)
		}
		p.Scope = scope
		if prev, dup := byScope[scope]; dup {
			return nil, "", fmt.Errorf("gateway: two APIM policies at %s scope, %s and %s: give one per scope", scope, prev.name(), p.name())
		}
		byScope[scope] = p
	}
	var doc *apimpolicy.Document
	var top apimcheck.Scope
	for _, scope := range apimcheck.Scopes {
		p, ok := byScope[scope]
		if !ok {
			continue
		}
		d, err := apimpolicy.Parse(p.XML)
		var syn *apimpolicy.SyntaxError
		switch {
		case errors.As(err, &syn) && p.Source != "":
			return nil, "", fmt.Errorf("%s:%d:%d: %s (the %s-scope APIM policy)", p.Source, syn.Pos.Line, syn.Pos.Column, syn.Msg, scope)
		case err != nil:
			return nil, "", fmt.Errorf("gateway: the APIM policy %s: %w", p.name(), err)
		}
		if len(ps) > 1 && (d.Root() == nil || d.Root().Name != "policies") {
			return nil, "", fmt.Errorf("gateway: the APIM policy %s needs a <policies> root to stand at a scope (a <fragment> is included, not attached)", p.name())
		}
		if doc == nil {
			doc, top = d, scope
			continue
		}
		if doc, err = apimpolicy.Inherit(doc, d); err != nil {
			return nil, "", fmt.Errorf("gateway: the APIM policy %s: %w", p.name(), err)
		}
	}
	return doc, top, nil
}

// globalDefault is the policy APIM holds at the global (All APIs) scope
// when none is written: a <forward-request/> with every attribute at its
// default, so buffer-response is true (FACTS.md). It is built, not
// parsed, so its elements have no position: findings about them are told
// from findings about the files given. fwd is its forward-request.
func globalDefault() (doc *apimpolicy.Document, fwd *apimpolicy.Element) {
	fwd = apimpolicy.NewElement("forward-request")
	backend := apimpolicy.NewElement("backend")
	backend.Append(fwd)
	root := apimpolicy.NewElement("policies")
	root.Append(apimpolicy.NewElement("inbound"), backend, apimpolicy.NewElement("outbound"), apimpolicy.NewElement("on-error"))
	return &apimpolicy.Document{Nodes: []apimpolicy.Node{root}}, fwd
}

// holds reports whether doc runs element e (composition shares the
// parent's nodes, so identity tells where a node came from).
func holds(doc *apimpolicy.Document, e *apimpolicy.Element) bool {
	found := false
	apimpolicy.Walk(doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		found = found || n == apimpolicy.Node(e)
		return !found
	})
	return found
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

// logsBodies reports a diagnostic whose written blocks log bodies. (A
// block left out keeps what APIM had, which the emulator cannot know:
// only the blocks given count.)
func logsBodies(d apimdiag.Diagnostic) bool {
	for _, blk := range d.Blocks {
		if blk != nil && blk.BodyBytes > 0 {
			return true
		}
	}
	return false
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
