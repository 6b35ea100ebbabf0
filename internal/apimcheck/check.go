// Package apimcheck checks APIM policy documents against the SSE rules of
// package rules, and applies the rules' safe fixes.
//
// The checker knows where a policy sits (its scope) and in which section
// each element is, because the same policy means different things in
// different places: set-body in <outbound> buffers the response, in
// <inbound> it rewrites the request; a <backend> that only says <base />
// is wrong at API scope but may be right at operation scope. Where the
// answer depends on a document it cannot see (a parent scope, a fragment,
// a named value) it says so with a warning instead of guessing.
package apimcheck

import (
	"fmt"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
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
}

// Result is the verdict on one document.
type Result struct {
	// Findings are sorted by position.
	Findings []rules.Finding
	// Ready is true when no finding is an error.
	Ready bool
}

// Check runs every policy rule over doc.
func Check(doc *apimpolicy.Document, opts Options) Result {
	c := newChecker(opts)
	c.document(doc)
	return c.result()
}

// CheckSource parses src and checks it. A document that does not parse
// is an error (*apimpolicy.SyntaxError), not a finding.
func CheckSource(src []byte, opts Options) (Result, error) {
	doc, err := apimpolicy.Parse(src)
	if err != nil {
		return Result{}, err
	}
	return Check(doc, opts), nil
}

// CheckNodes checks policies a user wrote for one section of a document
// (inbound, backend, outbound or on-error), as they will run there.
func CheckNodes(nodes []apimpolicy.Node, section string, opts Options) Result {
	c := newChecker(opts)
	c.expressionSyntax(nodes)
	c.section(section, nodes)
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

// Fix parses src, applies the safe fix of every finding that has one, and
// checks the result again.
func Fix(src []byte, opts Options) (Fixed, error) {
	doc, err := apimpolicy.Parse(src)
	if err != nil {
		return Fixed{}, err
	}
	c := newChecker(opts)
	c.document(doc)
	var applied []rules.Finding
	for _, fx := range c.fixes {
		fx.apply()
		applied = append(applied, fx.finding)
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

type fix struct {
	finding rules.Finding
	apply   func()
}

type checker struct {
	scope    Scope
	findings []rules.Finding
	fixes    []fix
}

func newChecker(opts Options) *checker {
	scope := opts.Scope
	if scope == "" {
		scope = API
	}
	return &checker{scope: scope}
}

func (c *checker) result() Result {
	rules.Sort(c.findings)
	return Result{Findings: c.findings, Ready: rules.Ready(c.findings)}
}

// report records a finding of rule id at pos about element.
func (c *checker) report(id string, pos apimpolicy.Pos, element, format string, args ...any) *rules.Finding {
	f := rules.MustLookup(id).Finding(pos.Line, pos.Column, element, format, args...)
	c.findings = append(c.findings, f)
	return &c.findings[len(c.findings)-1]
}

// reportFix records a finding whose safe fix is apply.
func (c *checker) reportFix(id string, pos apimpolicy.Pos, element string, apply func(), format string, args ...any) {
	f := c.report(id, pos, element, format, args...)
	c.fixes = append(c.fixes, fix{finding: *f, apply: apply})
}

func (c *checker) document(doc *apimpolicy.Document) {
	root := doc.Root()
	c.expressionSyntax(doc.Nodes)
	if root.Name == "fragment" {
		// A fragment can be included in any section: rules that depend on
		// the section say so.
		c.section("", root.Children)
		return
	}
	for _, sec := range root.Elements() {
		c.section(sec.Name, sec.Children)
	}
	c.backend(root)
}

// section checks the policies of one section ("" when it is unknown, as
// in a fragment).
func (c *checker) section(name string, nodes []apimpolicy.Node) {
	apimpolicy.Walk(nodes, func(n apimpolicy.Node, ancestors []*apimpolicy.Element) bool {
		e, ok := n.(*apimpolicy.Element)
		if !ok {
			return true
		}
		ctx := place{section: name, ancestors: ancestors}
		c.element(e, ctx)
		return true
	})
}

// place is where an element sits: its section and enclosing elements.
type place struct {
	section   string
	ancestors []*apimpolicy.Element
}

// buildsOtherMessage reports whether the element is inside a policy that
// builds a request or response of its own (send-request, return-response,
// ...): a set-body there writes that message, not the streamed response.
func (p place) buildsOtherMessage() bool {
	for _, a := range p.ancestors {
		switch a.Name {
		case "send-request", "send-one-way-request", "return-response", "mock-response":
			return true
		}
	}
	return false
}

// branchNote explains that a finding applies only on one path.
func (p place) branchNote() string {
	for _, a := range p.ancestors {
		if a.Name == "when" || a.Name == "otherwise" {
			return fmt.Sprintf(" (inside <%s>: it applies when that branch is taken)", a.Name)
		}
	}
	return ""
}

func (c *checker) element(e *apimpolicy.Element, at place) {
	switch e.Name {
	case "forward-request":
		if at.section != "" && at.section != "backend" {
			c.report(rules.ForwardRequestOutsideBackend, e.Pos, e.Name,
				"forward-request stands in <%s>, and it belongs in <backend> only: move it there", at.section)
			return
		}
		c.forwardRequest(e, at)
	case "include-fragment":
		id := "?"
		if a := e.Attr("fragment-id"); a != nil {
			id = a.Value()
		}
		c.report(rules.UnresolvedFragment, e.Pos, e.Name,
			"the policy fragment %q is included here; sseready cannot see what it holds, buffering policies included: check the fragment's own document%s", id, at.branchNote())
	}
	c.bodyRules(e, at)
}
