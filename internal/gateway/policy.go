package gateway

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/apimtier"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// apimHop is an API Management hop's policy, run for each request: the
// request's path through the composed policy (apimcheck.Trace, the
// checker's evaluator on the request's body, headers and method) is
// checked once per path (route) and acted out.
type apimHop struct {
	cfg   Config
	comp  apimcheck.Composition
	scope apimcheck.Scope
	// base is what every request gets: the tier, the diagnostics, the
	// clocks.
	base Behavior
	// lint are the findings on the whole composition, as lint reports
	// them: an answer is named by lint's rule for it.
	lint []rules.Finding

	mu     sync.Mutex
	routes map[string]*route
}

// maxRoutes bounds the routes kept; a policy has few paths.
const maxRoutes = 1024

// route is what the hop does for the requests that take one path.
type route struct {
	b Behavior
	// answer is the policy that answers (nil: none); afterBackend: it
	// stands in <outbound>, so the backend is called first.
	answer       *apimpolicy.Element
	afterBackend bool
	// noForward: the path calls no backend, and <outbound> builds the
	// response from shapers.
	noForward bool
	// shapers are <outbound>'s set-status, set-header and set-body on the
	// path, in order.
	shapers []*apimpolicy.Element
	// threw: a policy expression threw and nothing answered.
	threw string
}

func newAPIMHop(c Config) (*apimHop, error) {
	a := c.APIM
	b := Behavior{DownstreamIdle: c.scaled(LoadBalancerIdle), HeaderTimeout: c.scaled(DefaultForwardTimeout)}
	if a.SKU != "" {
		ok, err := apimtier.SupportsSSE(a.SKU)
		if err != nil {
			return nil, err
		}
		if !ok {
			b.enact(rules.ConsumptionTier, c, a.SKU)
		}
	}
	comp, err := composePolicies(a.Policies)
	if err != nil {
		return nil, err
	}
	// No global policy given: above the highest scope given stands APIM's
	// global default (apimcheck.Compose), whose forward-request buffers.
	scope := comp.Top
	if comp.OverDefault {
		scope = apimcheck.Global
	}
	for _, d := range a.Diagnostics {
		if apimdiag.WrittenBlocksLogBodies(d) && apimdiag.AppliesToAPI(d, a.Diagnostics) {
			b.enact(rules.DiagnosticBodyLogging, c, "")
		}
	}
	h := &apimHop{cfg: c, comp: comp, scope: scope, base: b, routes: map[string]*route{}}
	h.lint = apimcheck.Check(comp.Doc, apimcheck.Options{Scope: scope, Fragments: a.Fragments}).Findings
	return h, nil
}

// behaviorFor is what the hop does with req.
func (h *apimHop) behaviorFor(req apimcheck.Request) Behavior {
	p := apimcheck.Trace(h.comp.Doc, h.cfg.APIM.Fragments, req)
	r := h.routeOf(p)
	b := r.b
	b.Warnings = slices.Clip(b.Warnings)
	switch {
	case r.threw != "":
		b.Answer = &Answer{Status: 500, Header: textPlain(), Body: []byte("policy expression failed: " + r.threw + "\n"), Why: r.threw}
	case r.answer != nil:
		b.Answer = answerOf(r.answer, p, &b)
		b.Answer.AfterBackend = r.afterBackend
	case r.noForward:
		b.Answer = &Answer{Status: 200, Header: map[string][]string{}, Why: "<outbound>, after a <backend> that forwards nothing"}
		shape(b.Answer, r.shapers, p, &b)
	default:
		for _, s := range r.shapers {
			if s.Name != "set-header" {
				continue
			}
			if e, ok := headerEdit(s, p, &b); ok {
				b.Headers = append(b.Headers, e)
			}
		}
	}
	return b
}

func (h *apimHop) routeOf(p apimcheck.Path) *route {
	h.mu.Lock()
	r := h.routes[p.Key]
	h.mu.Unlock()
	if r != nil {
		return r
	}
	r = h.derive(p)
	h.mu.Lock()
	if len(h.routes) < maxRoutes {
		h.routes[p.Key] = r
	}
	h.mu.Unlock()
	return r
}

// derive checks one path: what answers, whether it forwards, and the
// effects of the findings on it (apimcheck.Check of the path's document,
// the rules every hop reads).
func (h *apimHop) derive(p apimcheck.Path) *route {
	r := &route{b: h.base}
	b := &r.b
	b.Rules = slices.Clone(h.base.Rules)
	b.Warnings = nil
	for _, u := range p.Undecided {
		b.Warnings = append(b.Warnings, PolicyNote{Message: u,
			Emulator: "this request does not decide the condition: the checker reads its <choose> as lint does, and a return-response in it does not answer here"})
	}
	for _, u := range p.AwaitsResponse {
		b.Warnings = append(b.Warnings, PolicyNote{Message: u,
			Emulator: "the backend's response decides the condition: the hop runs <outbound> again for each response's status and headers"})
	}
	b.AwaitsResponse = p.NeedsResponse
	defer sort.Strings(b.Rules)
	switch {
	case p.Threw != "" && p.Answer == nil:
		r.threw = p.Threw
		b.Warnings = append(b.Warnings, PolicyNote{Message: p.Threw, Emulator: "APIM runs <on-error>, which does not answer here: the hop answers 500"})
		return r
	case p.Answer != nil && p.Section != "outbound":
		r.answer = p.Answer
		b.Rules = append(b.Rules, h.answerRule(p.Answer, rules.BackendNeverReached))
		return r
	}
	if out := p.Doc.Section("outbound"); out != nil {
		for _, e := range out.Elements() {
			switch e.Name {
			case "set-status", "set-header", "set-body":
				r.shapers = append(r.shapers, e)
			}
		}
	}
	if !p.Forwards {
		r.noForward, r.answer = true, p.Answer
		b.NoForward = "the request's path calls no backend: its <backend> forwards nothing"
		b.Rules = append(b.Rules, rules.NoForwardRequest)
		return r
	}
	if p.Answer != nil {
		r.answer, r.afterBackend = p.Answer, true
		b.Rules = append(b.Rules, h.answerRule(p.Answer, rules.ResponseReplaced))
	}
	h.findings(p, b)
	if t, ok := forwardTimeout(p.Doc); ok {
		b.HeaderTimeout = h.cfg.scaled(t)
	}
	return r
}

// answerRule is lint's rule for the policy that answers (SSE152 when it
// answers streaming requests), or fallback.
func (h *apimHop) answerRule(e *apimpolicy.Element, fallback string) string {
	for _, f := range h.lint {
		switch f.Rule {
		case rules.BackendNeverReached, rules.ResponseReplaced, rules.StreamingRefused:
			if f.Line == e.Pos.Line && f.Column == e.Pos.Column && f.Element == e.Name {
				return f.Rule
			}
		}
	}
	return fallback
}

// findings acts out the findings of the path's document.
func (h *apimHop) findings(p apimcheck.Path, b *Behavior) {
	if h.comp.OverDefault && holds(p.Doc, h.comp.DefaultForward) {
		b.enact(rules.BackendInheritsBuffering, h.cfg, "")
	}
	res := apimcheck.Check(p.Doc, apimcheck.Options{Scope: h.scope, Fragments: h.cfg.APIM.Fragments})
	for _, f := range res.Findings {
		if h.comp.OverDefault && f.Line == 0 && f.Element == "forward-request" {
			// About the global default's forward-request, which no file
			// holds: the inheritance above says what it does.
			continue
		}
		if f.Severity != rules.Error && f.Severity != rules.Warning {
			continue
		}
		if p.Answer != nil && f.Element == p.Answer.Name && f.Line == p.Answer.Pos.Line && f.Column == p.Answer.Pos.Column {
			continue // the answer, acted out and named above
		}
		note := PolicyNote{Rule: f.Rule, Message: f.Message}
		e, acted := effectOf(f.Rule)
		in, inert := inertOf(f.Rule)
		switch {
		case f.Rule == rules.ContentSafetyWindow:
			h.contentSafety(p.Doc, f, b)
		case f.Rule == rules.ResponseHeadersChanged && f.Severity == rules.Error:
			b.enact(f.Rule, h.cfg, "") // the set-header is among the shapers
		case acted && e.effect.byPath():
			note.Emulator = byPathNote(e.effect)
			b.Warnings = append(b.Warnings, note)
		case acted && f.Severity == rules.Error:
			b.enact(f.Rule, h.cfg, "")
		case inert && in.invalid && f.Severity == rules.Error:
			note.Emulator = in.why
			b.Invalid = append(b.Invalid, note)
		case inert:
			note.Emulator = in.why
			b.Warnings = append(b.Warnings, note)
		case f.Severity == rules.Error:
			b.NotEnacted = append(b.NotEnacted, note)
		default:
			note.Emulator = "a warning: the hop relays as if it did not apply"
			b.Warnings = append(b.Warnings, note)
		}
	}
}

// byPathNote says why a finding whose effect comes from the path has
// none for this request.
func byPathNote(e effect) string {
	switch e {
	case takesBranch:
		return "the hop evaluates the comparison for this request as C# does, so the request goes where the real gateway sends it"
	case rewrite:
		return "the hop applies the set-header when it computes its value for the request, else leaves the header as the backend sent it"
	}
	return "this request's path does not run it for sure (a condition the request does not decide): the hop does not act it out for this request"
}

// contentSafety holds the stream in the window of the llm-content-safety
// the finding is about.
func (h *apimHop) contentSafety(doc *apimpolicy.Document, f rules.Finding, b *Behavior) {
	size := DefaultContentSafetyWindow
	if e := elementAt(doc, f); e != nil {
		if a := e.Attr("window-size"); a != nil {
			n, err := strconv.Atoi(strings.TrimSpace(a.Value()))
			if a.Kind() == apimpolicy.Literal && err == nil && n > 0 {
				size = n
			} else {
				b.Warnings = append(b.Warnings, PolicyNote{Rule: f.Rule, Message: fmt.Sprintf("window-size %q is not a number of characters the hop can read", a.Value()),
					Emulator: fmt.Sprintf("the hop holds the default window, %d characters", DefaultContentSafetyWindow)})
			}
		}
	}
	if b.Window == 0 || size > b.Window {
		b.Window = size
	}
	b.Block = h.cfg.ContentSafetyBlock
	b.enact(f.Rule, h.cfg, "")
}

// elementAt is the element a finding is about.
func elementAt(doc *apimpolicy.Document, f rules.Finding) *apimpolicy.Element {
	var found *apimpolicy.Element
	apimpolicy.Walk(doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		if e, ok := n.(*apimpolicy.Element); ok && found == nil && e.Name == f.Element && e.Pos.Line == f.Line && e.Pos.Column == f.Column {
			found = e
		}
		return found == nil
	})
	return found
}

// holds reports whether doc holds the element e.
func holds(doc *apimpolicy.Document, e *apimpolicy.Element) bool {
	found := false
	apimpolicy.Walk(doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		found = found || n == apimpolicy.Node(e)
		return !found
	})
	return found
}
