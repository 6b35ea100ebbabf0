package apimcheck

import (
	"fmt"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// ScopedPolicy is a policy document and the scope it is attached at.
type ScopedPolicy struct {
	Scope Scope
	Doc   *apimpolicy.Document
	// Name says which policy this is in errors ("apim.policies[1]", a file).
	Name string
}

// Composition is the policy APIM runs for one request path: the policies
// given, composed down the scope chain (each <base /> taking the section
// of the scope above), over APIM's global default when no global policy
// is given (FACTS.md: the global scope holds a default <forward-request/>,
// which buffers). The checker settles inheritance with it and the gateway
// emulator runs it, so the two cannot disagree.
type Composition struct {
	Doc *apimpolicy.Document
	// Top is the highest scope given.
	Top Scope
	// OverDefault is true when the composition stands on the global
	// default; DefaultForward is then the default's forward-request.
	OverDefault    bool
	DefaultForward *apimpolicy.Element
	// sources are the documents given, in scope order, for Source;
	// copies maps each element composing copied to its original, and
	// origin each original element to the index of its source (built
	// when first asked).
	sources []ScopedPolicy
	copies  map[*apimpolicy.Element]*apimpolicy.Element
	origin  map[*apimpolicy.Element]int
}

// GlobalDefault is the policy APIM holds at the global (All APIs) scope
// when none is written: a <forward-request/> with every attribute at its
// default, so buffer-response is true. It is built, not parsed, so its
// elements have no position: findings about them are told from findings
// about the documents given. fwd is its forward-request.
func GlobalDefault() (doc *apimpolicy.Document, fwd *apimpolicy.Element) {
	fwd = apimpolicy.NewElement("forward-request")
	backend := apimpolicy.NewElement("backend")
	backend.Append(fwd)
	root := apimpolicy.NewElement("policies")
	root.Append(apimpolicy.NewElement("inbound"), backend, apimpolicy.NewElement("outbound"), apimpolicy.NewElement("on-error"))
	return &apimpolicy.Document{Nodes: []apimpolicy.Node{root}}, fwd
}

// Compose builds the composition of ps: at most one policy per scope,
// each a <policies> document. A single <fragment> (or rootless) document
// is taken as it stands: a fragment is included, not inherited.
func Compose(ps []ScopedPolicy) (Composition, error) {
	if len(ps) == 0 {
		return Composition{}, fmt.Errorf("no policy document given")
	}
	byScope := map[Scope]ScopedPolicy{}
	for _, p := range ps {
		scope := p.Scope
		if scope == "" {
			scope = API
		}
		p.Scope = scope
		if prev, dup := byScope[scope]; dup {
			return Composition{}, fmt.Errorf("%s and %s are both at %s scope: a request path runs one policy per scope", prev.Name, p.Name, scope)
		}
		byScope[scope] = p
	}
	var ordered []ScopedPolicy
	for _, s := range Scopes {
		if p, ok := byScope[s]; ok {
			ordered = append(ordered, p)
		}
	}
	c := Composition{Top: ordered[0].Scope, sources: ordered, copies: map[*apimpolicy.Element]*apimpolicy.Element{}}
	if r := ordered[0].Doc.Root(); len(ordered) == 1 && (r == nil || r.Name != "policies") {
		c.Doc = ordered[0].Doc
		return c, nil
	}
	doc := ordered[0].Doc
	if c.Top != Global {
		def, fwd := GlobalDefault()
		c.OverDefault, c.DefaultForward = true, fwd
		var err error
		if doc, err = apimpolicy.InheritTracked(def, doc, c.copies); err != nil {
			return Composition{}, fmt.Errorf("%s: %w", ordered[0].Name, err)
		}
	}
	for _, p := range ordered[1:] {
		var err error
		if doc, err = apimpolicy.InheritTracked(doc, p.Doc, c.copies); err != nil {
			return Composition{}, fmt.Errorf("%s: %w", p.Name, err)
		}
	}
	c.Doc = doc
	return c, nil
}

// RunsDefaultForward reports whether the composition runs the global
// default's forward-request: some <backend> path inherits it.
func (c Composition) RunsDefaultForward() bool {
	return c.DefaultForward != nil && holds(c.Doc, c.DefaultForward)
}

// Source returns the policy given that holds e: composition shares the
// documents' nodes, so identity tells where a node came from, and an
// element composing copied is traced to its original. ok is false for the
// global default's nodes.
func (c *Composition) Source(e *apimpolicy.Element) (ScopedPolicy, bool) {
	if c.origin == nil {
		c.origin = map[*apimpolicy.Element]int{}
		for i, p := range c.sources {
			apimpolicy.Walk(p.Doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
				if el, ok := n.(*apimpolicy.Element); ok {
					c.origin[el] = i
				}
				return true
			})
		}
	}
	for e != nil {
		if i, ok := c.origin[e]; ok {
			return c.sources[i], true
		}
		e = c.copies[e]
	}
	return ScopedPolicy{}, false
}

// SourcedFinding is a finding of a composition, with the policy that holds
// what it is about; Source is nil for APIM's global default.
type SourcedFinding struct {
	rules.Finding
	Source *ScopedPolicy
}

// CheckComposition checks the policy a request path runs, as APIM composes
// it, and traces each finding to the policy given that holds its element
// (its line and column are in that document, or in the fragment it names).
func CheckComposition(c *Composition, opts Options) []SourcedFinding {
	opts.Scope = c.Top
	if c.OverDefault {
		opts.Scope = Global
	}
	k := newChecker(opts)
	k.sourceOf = func(e *apimpolicy.Element) (string, bool) {
		src, ok := c.Source(e)
		return src.Name, ok
	}
	k.document(c.Doc)
	k.settle()
	out := make([]SourcedFinding, 0, len(k.found))
	for _, f := range k.found {
		sf := SourcedFinding{Finding: f.Finding}
		// The finding's own element decides (a node of the default has no
		// source); inside an included fragment, the include-fragment that
		// pulled it in.
		for i := len(f.chain) - 1; i >= 0; i-- {
			if src, ok := c.Source(f.chain[i]); ok {
				sf.Source = &src
				break
			}
			if f.Fragment == "" {
				break
			}
		}
		out = append(out, sf)
	}
	return out
}

// holds reports whether doc has the node e.
func holds(doc *apimpolicy.Document, e *apimpolicy.Element) bool {
	found := false
	apimpolicy.Walk(doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		found = found || n == apimpolicy.Node(e)
		return !found
	})
	return found
}

// BackendVerdict is how a composition's <backend> treats the stream.
type BackendVerdict int

const (
	// BackendStreams: every path forwards with buffer-response="false".
	BackendStreams BackendVerdict = iota
	// BackendUncertain: the answer is in a document not given (a
	// fragment, a named value).
	BackendUncertain
	// BackendBuffers: some path buffers, or never forwards.
	BackendBuffers
)

// Backend judges the composition's <backend>, checked at global scope
// (where nothing is left to inherit). why are the findings behind a
// verdict other than BackendStreams.
func (c Composition) Backend(opts Options) (v BackendVerdict, why []rules.Finding) {
	opts.Scope = Global
	for _, f := range Check(c.Doc, opts).Findings {
		switch f.Rule {
		case rules.ForwardRequestBuffers, rules.BackendInheritsBuffering, rules.NoForwardRequest, rules.BufferResponseNotLiteral:
		default:
			continue
		}
		switch f.Severity {
		case rules.Error:
			v, why = BackendBuffers, append(why, f)
		case rules.Warning:
			if v == BackendStreams {
				v = BackendUncertain
			}
			why = append(why, f)
		}
	}
	if c.RunsDefaultForward() {
		v = BackendBuffers
	}
	return v, why
}

// DefaultFinding turns what the check of a composition says about APIM's
// global default (a finding with no Source: the composition stands on it
// when no global policy is given) into the finding a user can act on: the
// first <base /> of top's <backend> inherits the default's
// forward-request, which buffers. ok is false for the default's other
// findings (its timeout): no policy given holds them.
func DefaultFinding(sf SourcedFinding, top ScopedPolicy, noGlobal string) (rules.Finding, bool) {
	if sf.Source != nil || sf.Rule != rules.ForwardRequestBuffers {
		return rules.Finding{}, false
	}
	base := firstBackendBase(top.Doc)
	if base == nil {
		return rules.Finding{}, false
	}
	return rules.MustLookup(rules.BackendInheritsBuffering).Finding(base.Pos.Line, base.Pos.Column, "base",
		"<base /> here inherits APIM's global default <forward-request/> (%s), which buffers (buffer-response defaults to true): forward the request with buffer-response=\"false\" here or in a policy above", noGlobal), true
}

func firstBackendBase(doc *apimpolicy.Document) *apimpolicy.Element {
	be := doc.Section("backend")
	if be == nil {
		return nil
	}
	var found *apimpolicy.Element
	apimpolicy.Walk(be.Children, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		if e, ok := n.(*apimpolicy.Element); ok && e.Name == "base" && found == nil {
			found = e
		}
		return found == nil
	})
	return found
}
