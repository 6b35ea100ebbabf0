package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Behavior is how a hop treats a request and its response, derived from
// its settings by the rules of package rules. An API Management hop
// derives it for each request: the path the request takes through the
// policy (apimcheck.Trace) decides what runs.
type Behavior struct {
	// Refuse, when set, is why requests are refused (503).
	Refuse string
	// NoForward, when set, is why the request calls no backend: the hop
	// answers with what <outbound> builds (Answer).
	NoForward string
	// Answer, when set, is the response the hop sends itself.
	Answer *Answer
	// Headers are <outbound>'s set-header edits of the backend's
	// response headers, in order.
	Headers []HeaderEdit
	// Unit > 0 relays the body in units of that many bytes (the rest when
	// the stream ends); 0 relays each read at once.
	Unit int
	// HoldAll holds the whole body until the stream ends.
	HoldAll bool
	// Window > 0 holds the stream in llm-content-safety's sliding window
	// of that many characters of event data; Block is the word that
	// violates it (Config.ContentSafetyBlock, a test device).
	Window int
	Block  string
	// Cache stores complete responses and replays them.
	Cache bool
	// AwaitsResponse: <outbound> reads the backend's response
	// (context.Response), so an API Management hop decides it again once
	// the response headers came (Gateway.ServeHTTP), as APIM runs
	// <outbound> after the backend answered.
	AwaitsResponse bool
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
	// Warnings are the policy check's other findings on the request's
	// path (what the settings leave unknown, what has no runtime effect)
	// and the conditions the request does not decide, each with what the
	// hop does about it.
	Warnings []PolicyNote
	// Invalid are the policy's errors about a document APIM does not run
	// as written (a syntax rule): a proof of it fails.
	Invalid []PolicyNote
	// NotEnacted are the policy check's errors that the emulator has no
	// behaviour for: the stream it relays is not the real one, so a run
	// through it proves nothing. Every rule of the catalogue has a
	// behaviour or a reason to have none (TestEveryPolicyRuleIsActedOut),
	// so this stays empty unless a rule is added without one.
	NotEnacted []PolicyNote
}

// PolicyNote is a finding of the policy check, or a condition, and what
// the hop does about it.
type PolicyNote struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Emulator says what the emulated hop does about it.
	Emulator string `json:"emulator,omitempty"`
}

func (n PolicyNote) String() string {
	s := n.Message
	if n.Rule != "" {
		s = n.Rule + ": " + s
	}
	if n.Emulator != "" {
		s += " (emulator: " + n.Emulator + ")"
	}
	return s
}

// Effect names what the hop does to a response, in one word: refuse,
// no-forward, answer, hold-all, buffer, window or stream.
func (b Behavior) Effect() string {
	switch {
	case b.Refuse != "":
		return "refuse"
	case b.NoForward != "":
		return "no-forward"
	case b.Answer != nil:
		return "answer"
	case b.HoldAll:
		return "hold-all"
	case b.Unit > 0:
		return "buffer"
	case b.Window > 0:
		return "window"
	}
	return "stream"
}

func (b Behavior) String() string {
	parts := []string{b.Effect()}
	switch parts[0] {
	case "buffer":
		parts[0] = fmt.Sprintf("buffer=%d", b.Unit)
	case "window":
		parts[0] = fmt.Sprintf("window=%d", b.Window)
	case "answer", "no-forward":
		parts[0] += fmt.Sprintf("=%d", b.Answer.Status)
	}
	if ct, ok := b.ContentType(); ok {
		parts = append(parts, "content-type="+ct)
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

// ContentType is what the hop's header edits make of a relayed
// text/event-stream response's Content-Type ("deleted" when they remove
// it), if they touch it.
func (b Behavior) ContentType() (string, bool) {
	if b.Answer != nil || b.Refuse != "" {
		return "", false
	}
	h := http.Header{"Content-Type": {"text/event-stream"}}
	touched := false
	for _, e := range b.Headers {
		if strings.EqualFold(e.Name, "Content-Type") {
			e.apply(h)
			touched = true
		}
	}
	if !touched {
		return "", false
	}
	if v := h.Values("Content-Type"); len(v) > 0 {
		return strings.Join(v, ","), true
	}
	return "deleted", true
}

// Derive computes the behaviour of the configured hop, on the hop's
// clock (TimeScale applied), for DefaultRequest: an EventSource's GET.
func Derive(c Config) (Behavior, error) { return DeriveFor(c, DefaultRequest()) }

// DeriveFor computes the behaviour of the configured hop for one
// request: on an API Management hop, the path it takes through the
// policy decides what runs (see apimcheck.Trace).
func DeriveFor(c Config, req apimcheck.Request) (Behavior, error) {
	if err := c.setDefaults(); err != nil {
		return Behavior{}, err
	}
	switch {
	case c.AppGW != nil:
		return deriveAppGW(c), nil
	case c.Relay != nil:
		return deriveRelay(c), nil
	}
	h, err := newAPIMHop(c)
	if err != nil {
		return Behavior{}, err
	}
	return h.behaviorFor(req), nil
}

// DefaultRequest is what a hop's summary describes when no request is
// given: an EventSource's GET, which asks for text/event-stream and has
// no body (what sseready probe sends without --data).
func DefaultRequest() apimcheck.Request {
	return apimcheck.Request{Method: http.MethodGet, Header: http.Header{"Accept": {"text/event-stream"}}}
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
// emulator does not enact changes nothing, and one whose effect comes
// from the request's path (answer, window...) is only named here: the
// path sets the rest. detail is the SKU for a refusal.
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
