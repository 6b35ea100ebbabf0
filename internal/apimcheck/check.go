// Package apimcheck checks APIM policy documents against the SSE rules of
// package rules, and applies the rules' safe fixes.
//
// The checker knows where a policy sits (its scope) and in which section
// each element is, because the same policy means different things in
// different places: set-body in <outbound> buffers the response, in
// <inbound> it rewrites the request; a <backend> that only says <base />
// is wrong at API scope but may be right at operation scope. It follows
// the pipeline as APIM runs it: a return-response that always answers in
// <inbound> means no backend is reached, and a <choose> branch that only
// non-streaming requests take cannot break a stream. Where the answer
// depends on a document it cannot see (a parent scope, a fragment not
// given, a named value) it says so with a warning instead of guessing.
package apimcheck

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Scope is where a policy document is attached in APIM.
type Scope string

const (
	Global    Scope = "global"
	Workspace Scope = "workspace"
	Product   Scope = "product"
	API       Scope = "api"
	Operation Scope = "operation"
)

// Scopes lists the scopes in the order APIM applies them (FACTS.md: the
// scope chain).
var Scopes = []Scope{Global, Workspace, Product, API, Operation}

// ParseScope reads a scope name; the empty string means API.
func ParseScope(s string) (Scope, error) {
	if s == "" {
		return API, nil
	}
	for _, sc := range Scopes {
		if string(sc) == s {
			return sc, nil
		}
	}
	names := make([]string, len(Scopes))
	for i, sc := range Scopes {
		names[i] = string(sc)
	}
	return "", fmt.Errorf("unknown scope %q: use one of %s", s, strings.Join(names, ", "))
}

// Options say what the checker cannot read from the document itself.
type Options struct {
	// Scope is where the document is attached; empty means API.
	Scope Scope
	// Fragments are the policy fragments the user gave, by fragment-id
	// (see ParseFragments). An include-fragment of one of them is checked
	// as if the fragment's policies stood in its place.
	Fragments map[string]*apimpolicy.Document
	// Accepted are the rules whose findings the user accepts, and why.
	Accepted []rules.Acceptance
	// AcceptedFrom names where Accepted came from, for findings accepted
	// without a reason ("in accepted_rules", "by --accept").
	AcceptedFrom string
}

// Result is the verdict on one document.
type Result struct {
	// Findings are sorted by position (findings in included fragments
	// after the document's own).
	Findings []rules.Finding
	// Ready is true when no finding is an error.
	Ready bool
}

// Check runs every policy rule over doc: a <policies> document, a
// <fragment>, or a rootless file of policies (see apimpolicy.ParseLoose).
func Check(doc *apimpolicy.Document, opts Options) Result {
	c := getChecker(opts)
	defer c.release()
	c.document(doc)
	return c.result()
}

// CheckSource parses src (a document, a fragment or a rootless file of
// policies) and checks it. A document that does not parse is an error
// (*apimpolicy.SyntaxError), not a finding.
func CheckSource(src []byte, opts Options) (Result, error) {
	doc, err := apimpolicy.ParseLoose(src)
	if err != nil {
		return Result{}, err
	}
	return Check(doc, opts), nil
}

// CheckNodes checks policies a user wrote for one section of a document
// (inbound, backend, outbound or on-error), as they will run there.
func CheckNodes(nodes []apimpolicy.Node, section string, opts Options) Result {
	c := newChecker(opts)
	c.flow = newFlow(c)
	st := newState("it may be set elsewhere in the document")
	st.section = sectionOf(section)
	st.forwarded = allReach(rYes) // the rest of the document forwards
	c.flow.prescan(nodes)
	c.flow.acceptKnown = !c.flow.bodyFlag
	c.flow.nodes(nodes, st)
	c.expressionSyntax(nodes, place{})
	c.acceptComments(nodes, nil)
	c.walk(nodes, place{sections: sectionOf(section)})
	return c.result()
}

// Fixed is the outcome of Fix.
type Fixed struct {
	// Source is the fixed document: the input with the safe fixes applied
	// and every other byte kept.
	Source []byte
	// Applied are the findings that the fixes resolved.
	Applied []rules.Finding
	// Remaining is the check of the fixed document.
	Remaining Result
}

// Fix parses src, applies the safe fix of every error finding that has
// one, and checks the result again. A finding the user accepted, one in a
// branch only non-streaming requests take, one in code that never runs and
// one inside an included fragment (fix the fragment's own document) are
// left as they are.
func Fix(src []byte, opts Options) (Fixed, error) {
	doc, err := apimpolicy.ParseLoose(src)
	if err != nil {
		return Fixed{}, err
	}
	c := newChecker(opts)
	c.document(doc)
	c.settle()
	var applied []rules.Finding
	for _, f := range c.found {
		if f.fix != nil && f.Severity == rules.Error && f.Fragment == "" && f.misrouted == nil {
			f.fix()
			applied = append(applied, f.Finding)
		}
	}
	out := src
	if len(applied) > 0 {
		out = doc.Bytes()
	}
	again, err := CheckSource(out, opts)
	if err != nil {
		// A fix that breaks the document is a bug in this package.
		return Fixed{}, fmt.Errorf("apimcheck: the fixed document does not parse (please report this): %w", err)
	}
	rules.Sort(applied)
	return Fixed{Source: out, Applied: applied, Remaining: again}, nil
}

// FragmentError is a fragment given by the user that cannot be used.
type FragmentError struct {
	ID  string
	Err error // a *apimpolicy.SyntaxError, or what is wrong with the document
}

func (e *FragmentError) Error() string { return fmt.Sprintf("fragment %q: %v", e.ID, e.Err) }
func (e *FragmentError) Unwrap() error { return e.Err }

// ParseFragments parses the fragments a user gave, by fragment-id. Each
// must be a <fragment> document (or a rootless file of policies); errors
// are *FragmentError, in the order of the sorted IDs.
func ParseFragments(src map[string]string) (map[string]*apimpolicy.Document, []error) {
	out := make(map[string]*apimpolicy.Document, len(src))
	var errs []error
	for _, id := range sortedKeys(src) {
		if strings.TrimSpace(id) == "" || strings.TrimSpace(id) != id {
			errs = append(errs, &FragmentError{ID: id, Err: fmt.Errorf("a fragment-id must be a name without surrounding spaces")})
			continue
		}
		doc, err := apimpolicy.ParseLoose([]byte(src[id]))
		switch {
		case err != nil:
			errs = append(errs, &FragmentError{ID: id, Err: err})
		case doc.Root() != nil && doc.Root().Name != "fragment":
			errs = append(errs, &FragmentError{ID: id, Err: &apimpolicy.SyntaxError{Pos: doc.Root().Pos,
				Msg: fmt.Sprintf("the root element is <%s>: a policy fragment has a <fragment> root", doc.Root().Name)}})
		default:
			out[id] = doc
		}
	}
	return out, errs
}

// FragmentInputErrors turns ParseFragments' errors into input errors on
// field (the provider's attribute), each naming its fragment and place.
func FragmentInputErrors(field string, errs []error) []*input.Error {
	var out []*input.Error
	for _, err := range errs {
		e := &input.Error{Field: field, Msg: err.Error()}
		var fe *FragmentError
		var se *apimpolicy.SyntaxError
		if errors.As(err, &fe) && errors.As(err, &se) {
			e.Line, e.Column, e.Msg = se.Pos.Line, se.Pos.Column, fmt.Sprintf("fragment %q: %s", fe.ID, se.Msg)
		}
		out = append(out, e)
	}
	return out
}

// MicrosoftTimeout is the forward-request timeout of Microsoft's SSE
// example, in seconds; the fix for an inherited backend writes it.
const MicrosoftTimeout = 120

// found is a finding with what the checker needs to settle it: the
// elements it is about (for inline acceptances) and its fix.
type found struct {
	rules.Finding
	chain []*apimpolicy.Element
	fix   func()
	// unreached: no request that asks for a stream gets here.
	unreached bool
	// misrouted is the comparison on the flag that never matches (or
	// always does) and decides whether streaming requests get here: the
	// fix is the comparison, not what it routes to.
	misrouted *constCmp
}

type checker struct {
	scope Scope
	opts  Options
	found []*found
	flow  *flow // nil until the flow pass runs; then &ownFlow
	// ownFlow holds the flow pass, allocated with the checker.
	ownFlow flow
	// sourceOf names the policy that holds an element, in a composition.
	sourceOf  func(*apimpolicy.Element) (string, bool)
	accepts   map[*apimpolicy.Element][]inlineAccept
	neverPast *apimpolicy.Element // an <inbound> return-response that answers every request
	// expandStack is the ancestors slice expand lends its walks.
	expandStack []*apimpolicy.Element
	included    map[string]bool // fragments whose own syntax and comments are read
	settled     bool
	// pooled: c came from getChecker, which lends it keep's storage.
	pooled bool
	keep   kept
}

func newChecker(opts Options) *checker {
	scope := opts.Scope
	if scope == "" {
		scope = API
	}
	return &checker{scope: scope, opts: opts}
}

func (c *checker) result() Result {
	c.settle()
	out := make([]rules.Finding, len(c.found))
	for i, f := range c.found {
		out[i] = f.Finding
	}
	rules.Sort(out)
	return Result{Findings: out, Ready: rules.Ready(out)}
}

func (c *checker) document(doc *apimpolicy.Document) {
	c.flow = newFlow(c)
	c.flow.document(doc)
	c.expressionSyntax(doc.Nodes, place{})
	c.acceptComments(doc.Nodes, nil)
	root := doc.Root()
	switch {
	case root == nil:
		c.rootless(doc)
	case root.Name == "fragment":
		c.acceptComments(root.Children, root)
		secs, why := c.inferSections(root.Children)
		c.walk(root.Children, place{sections: secs, inferred: why, ancestors: ancestorsFrom(root)})
	default:
		c.acceptComments(root.Children, root)
		c.neverPast = c.alwaysAnswers(root.Child("inbound"))
		anc := ancestorsFrom(root, nil) // each section's walk in turn
		for sec := range root.ChildElements() {
			c.acceptComments(sec.Children, sec)
			anc[1] = sec
			c.walk(sec.Children, place{sections: sectionOf(sec.Name), ancestors: anc})
		}
		c.backend(root)
	}
	c.constComparisons(place{ancestors: []*apimpolicy.Element{}})
}

// rootless checks a file of policies with no root: section elements as
// their sections, other policies as a fragment would be checked.
func (c *checker) rootless(doc *apimpolicy.Document) {
	var loose []apimpolicy.Node
	var first *apimpolicy.Element
	for _, n := range doc.Nodes {
		e, ok := n.(*apimpolicy.Element)
		if !ok {
			continue
		}
		if first == nil {
			first = e
		}
		if s := sectionOf(e.Name); s != 0 {
			c.acceptComments(e.Children, e)
			c.walk(e.Children, place{sections: s, ancestors: ancestorsFrom(e)})
			continue
		}
		loose = append(loose, e)
	}
	c.report(rules.NotAPolicyDocument, first.Pos, place{}, first, "",
		"the file holds policies without a <policies> or <fragment> root, so it is checked as a fragment: wrap the policies in the section they belong to in <policies>, or in <fragment>")
	if len(loose) > 0 {
		secs, why := c.inferSections(loose)
		c.walk(loose, place{sections: secs, inferred: why})
	}
}

// report records a finding of rule id at pos about element e (nil for the
// document) and attribute attr, placed at at: the place adds what the
// branch, the pipeline or the fragment around it changes.
func (c *checker) report(id string, pos apimpolicy.Pos, at place, e *apimpolicy.Element, attr, format string, args ...any) *found {
	name := ""
	chain := make([]*apimpolicy.Element, len(at.ancestors), len(at.ancestors)+1)
	copy(chain, at.ancestors)
	if e != nil {
		name = e.Name
		chain = append(chain, e)
	}
	f := &found{Finding: rules.MustLookup(id).Finding(pos.Line, pos.Column, name, format, args...), chain: chain}
	f.Attribute = attr
	c.placeFinding(f, at, chain)
	c.found = append(c.found, f)
	return f
}

// reportFix records a finding whose safe fix is apply.
func (c *checker) reportFix(id string, pos apimpolicy.Pos, at place, e *apimpolicy.Element, attr string, apply func(), format string, args ...any) {
	c.report(id, pos, at, e, attr, format, args...).fix = apply
}

// settle applies the user's acceptances, once, after every rule has run.
func (c *checker) settle() {
	if c.settled {
		return
	}
	c.settled = true
	from := c.opts.AcceptedFrom
	if from == "" {
		from = "by the caller"
	}
	for _, f := range c.found {
		for _, a := range c.opts.Accepted {
			if a.Rule == f.Rule {
				f.Accept(a.Reason, from)
			}
		}
		// The document's comments (nil), then those of the elements around
		// the finding, outermost first.
		c.acceptInline(f, nil)
		for _, target := range f.chain {
			c.acceptInline(f, target)
		}
	}
}

// acceptInline applies to f the acceptance comments about target.
func (c *checker) acceptInline(f *found, target *apimpolicy.Element) {
	for _, a := range c.accepts[target] {
		if a.Rule == f.Rule {
			f.Accept(a.Reason, fmt.Sprintf("by the comment at line %d, column %d", a.at.Line, a.at.Column))
		}
	}
}

// expressionSyntax reports every policy expression the parser kept
// although it does not scan as C#. A policy APIM cannot compile is wrong
// whatever branch it stands in.
func (c *checker) expressionSyntax(nodes []apimpolicy.Node, base place) {
	apimpolicy.Walk(nodes, func(n apimpolicy.Node, anc []*apimpolicy.Element) bool {
		// The place is built only for a finding: this runs on every node.
		where := func() place {
			at := base
			at.plain = true
			at.ancestors = append(append([]*apimpolicy.Element(nil), base.ancestors...), anc...)
			return at
		}
		switch n := n.(type) {
		case *apimpolicy.Element:
			for _, a := range n.Attrs {
				for _, x := range a.Exprs {
					if x.Err != "" {
						c.report(rules.ExpressionSyntax, x.ErrPos, where(), n, a.Name,
							"the policy expression in %s is not valid C#: %s", a.Name, x.Err)
					}
				}
			}
		case *apimpolicy.Text:
			for _, x := range n.Exprs {
				if x.Err == "" {
					continue
				}
				if at := where(); len(at.ancestors) > 0 {
					owner := at.ancestors[len(at.ancestors)-1]
					at.ancestors = at.ancestors[:len(at.ancestors)-1]
					c.report(rules.ExpressionSyntax, x.ErrPos, at, owner, "",
						"the policy expression is not valid C#: %s", x.Err)
				}
			}
		}
		return true
	})
}
