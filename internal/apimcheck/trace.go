package apimcheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// Path is what one request runs of a policy document, as Trace finds it.
type Path struct {
	// Doc is the document as this request runs it: each <choose> the
	// request decides replaced by what its branch holds (nothing when no
	// branch runs), each fragment given inlined where it is included, and
	// nothing after the policy that answered. Check on Doc gives the
	// findings of this request's path. A <choose> the request does not
	// decide stays, without the branches it cannot take, and the checker
	// reads it as lint does.
	Doc *apimpolicy.Document
	// Answer is the return-response or mock-response that answers the
	// request (nil: none), and Section the section it stands in
	// ("inbound", "backend", "outbound" or "on-error"; "" in a fragment).
	Answer  *apimpolicy.Element
	Section string
	// Forwards reports whether <backend> calls the backend: a
	// forward-request runs (or may: it stands in a branch the request does
	// not decide), or the document has no <backend> section, or it is a
	// fragment, whose includer forwards.
	Forwards bool
	// Threw says which expression threw for this request, and what: APIM
	// then runs <on-error>.
	Threw string
	// Undecided says, for each condition the request does not decide,
	// where it stands and why.
	Undecided []string
	// AwaitsResponse are the conditions, as Undecided says them, that
	// read context.Response, which the request did not carry
	// (Request.Response): the backend's response decides them.
	AwaitsResponse []string
	// NeedsResponse: an expression read context.Response before there was
	// one; trace the request again with the backend's response to decide
	// <outbound>.
	NeedsResponse bool
	// Key tells paths apart: requests with the same Key run the same Doc.
	Key string

	// t holds the request and the variables at the end of the path, for
	// Text.
	t *tracer
}

// Trace runs doc (a composition: Compose) for one request as APIM runs
// it: set-variable stores what its value computes for the request, each
// <choose> takes the first <when> whose condition holds (the checker's
// evaluator, with the request's body, headers and method), a
// return-response or mock-response answers and ends the pipeline, an
// expression that throws ends it too and runs <on-error>. fragments are
// those the document includes, by fragment-id.
func Trace(doc *apimpolicy.Document, fragments map[string]*apimpolicy.Document, req Request) Path {
	t := &tracer{req: newConcrete(req), frags: fragments, vars: map[string]value{}, parsed: map[*apimpolicy.Attr]parsedCode{}}
	out := &apimpolicy.Document{BOM: doc.BOM, Rootless: doc.Rootless}
	root := doc.Root()
	for _, n := range doc.Nodes {
		if e, ok := n.(*apimpolicy.Element); ok && e == root {
			out.Nodes = append(out.Nodes, t.root(e))
			continue
		}
		if root != nil {
			out.Nodes = append(out.Nodes, n)
		}
	}
	if root == nil {
		t.p.Forwards = true
		out.Nodes = t.nodes(doc.Nodes)
	}
	t.p.Doc = out
	t.p.NeedsResponse = t.req.needsResponse
	t.p.Key = t.key.String()
	t.p.t = t
	return t.p
}

type tracer struct {
	req    *concrete
	frags  map[string]*apimpolicy.Document
	vars   map[string]value
	parsed map[*apimpolicy.Attr]parsedCode
	p      Path
	key    strings.Builder
	// section is the section being run; stopped says the pipeline ended
	// (an answer, an exception).
	section string
	stopped bool
	// including are the include-fragment elements being followed.
	including []*apimpolicy.Element
}

// root runs a <policies> document section by section (a <fragment> as
// its policies).
func (t *tracer) root(e *apimpolicy.Element) *apimpolicy.Element {
	if e.Name != "policies" {
		t.p.Forwards = true
		return t.copyWith(e, t.nodes(e.Children))
	}
	t.p.Forwards = e.Child("backend") == nil
	var kids []apimpolicy.Node
	for _, n := range e.Children {
		sec, ok := n.(*apimpolicy.Element)
		switch {
		case !ok:
			kids = append(kids, n)
		case sec.Name == "on-error" && t.p.Threw != "" && t.p.Answer == nil:
			t.section, t.stopped = sec.Name, false
			kids = append(kids, t.copyWith(sec, t.nodes(sec.Children)))
		case sec.Name == "on-error" || t.stopped:
			kids = append(kids, t.copyWith(sec, nil))
		default:
			t.section = sec.Name
			kids = append(kids, t.copyWith(sec, t.nodes(sec.Children)))
		}
	}
	return t.copyWith(e, kids)
}

// copyWith is a shallow copy of e holding kids.
func (t *tracer) copyWith(e *apimpolicy.Element, kids []apimpolicy.Node) *apimpolicy.Element {
	c := *e
	c.Children = kids
	c.SelfClosing = e.SelfClosing && len(kids) == 0
	return &c
}

// nodes runs nodes in order and returns what ran.
func (t *tracer) nodes(nodes []apimpolicy.Node) []apimpolicy.Node {
	var out []apimpolicy.Node
	for _, n := range nodes {
		if t.stopped {
			break
		}
		e, ok := n.(*apimpolicy.Element)
		if !ok {
			out = append(out, n)
			continue
		}
		out = append(out, t.element(e)...)
	}
	return out
}

func (t *tracer) element(e *apimpolicy.Element) []apimpolicy.Node {
	switch e.Name {
	case "choose":
		return t.choose(e)
	case "include-fragment":
		doc, ok := t.frags[fragmentID(e)]
		if !ok || slices.Contains(t.including, e) || len(t.including) >= apimpolicy.MaxDepth {
			return []apimpolicy.Node{e}
		}
		nodes := doc.Nodes
		if r := doc.Root(); r != nil {
			nodes = r.Children
		}
		t.including = append(t.including, e)
		defer func() { t.including = t.including[:len(t.including)-1] }()
		return t.nodes(nodes)
	case "set-variable":
		t.setVariable(e)
	case "return-response", "mock-response":
		t.p.Answer, t.p.Section, t.stopped = e, t.section, true
		t.key.WriteString("answer;")
	case "forward-request":
		t.p.Forwards = t.p.Forwards || t.section == "backend"
	case "retry", "wait", "limit-concurrency":
		// They run the policies they hold.
		return []apimpolicy.Node{t.copyWith(e, t.nodes(e.Children))}
	default:
		t.otherSetters(e)
	}
	return []apimpolicy.Node{e}
}

// setVariable stores what the value computes for the request; an
// expression that throws ends the pipeline.
func (t *tracer) setVariable(e *apimpolicy.Element) {
	name, val := e.Attr("name"), e.Attr("value")
	if name == nil || val == nil || name.Kind() != apimpolicy.Literal {
		return
	}
	v := t.eval(val)
	if v.k == vThrow {
		t.throw(e, v)
		return
	}
	t.vars[strings.TrimSpace(name.Value())] = v
}

// otherSetters marks what other policies store in variables (see
// flow.otherSetters) as not known here.
func (t *tracer) otherSetters(e *apimpolicy.Element) {
	for _, a := range e.Attrs {
		if strings.HasSuffix(a.Name, "variable-name") && a.Kind() == apimpolicy.Literal {
			name := strings.TrimSpace(a.Value())
			t.vars[name] = unknown(fmt.Sprintf("context.Variables[%q] (set by the <%s> at %s)", name, e.Name, t.where(e)))
		}
	}
}

func (t *tracer) throw(e *apimpolicy.Element, v value) {
	t.p.Threw = fmt.Sprintf("the <%s> at %s threw %s", e.Name, t.where(e), v.why)
	t.stopped = true
	t.key.WriteString("threw;")
}

// choose takes the first branch whose condition holds. When a condition
// before it cannot be decided for the request, the <choose> stays with
// the branches that may run, the one known to run last as <otherwise>:
// the variables they set become unknown, and a forward-request among
// them may run.
func (t *tracer) choose(e *apimpolicy.Element) []apimpolicy.Node {
	var undecided []*apimpolicy.Element
	var taken *apimpolicy.Element
	for _, b := range e.Elements() {
		if b.Name == "otherwise" {
			taken = b
			break
		}
		if b.Name != "when" {
			continue
		}
		readBefore := t.req.needsResponse
		t.req.needsResponse = false
		v := t.eval(b.Attr("condition"))
		awaits := t.req.needsResponse
		t.req.needsResponse = readBefore || awaits
		switch {
		case v.k == vBool && v.b:
			taken = b
		case v.k == vBool:
			continue
		case v.k == vThrow:
			t.throw(b, v)
			return nil
		default:
			why := v.why
			if v.k != vUnknown {
				why = "a condition that is " + v.describe() + ", not a bool"
			}
			note := fmt.Sprintf("the <when> at %s: %s", t.where(b), why)
			if awaits {
				t.p.AwaitsResponse = append(t.p.AwaitsResponse, note)
			} else {
				t.p.Undecided = append(t.p.Undecided, note)
			}
			undecided = append(undecided, b)
			continue
		}
		break
	}
	if len(undecided) == 0 {
		fmt.Fprintf(&t.key, "%s=%s;", t.where(e), branchName(e, taken))
		if taken == nil {
			return nil
		}
		return t.nodes(taken.Children)
	}
	fmt.Fprintf(&t.key, "%s=undecided %d %s;", t.where(e), len(undecided), branchName(e, taken))
	kids := append([]*apimpolicy.Element(nil), undecided...)
	if taken != nil {
		last := t.copyWith(taken, taken.Children)
		last.Name, last.Attrs = "otherwise", nil
		kids = append(kids, last)
	}
	var nodes []apimpolicy.Node
	for _, k := range kids {
		nodes = append(nodes, k)
		t.mayRun(k.Children)
	}
	return []apimpolicy.Node{t.copyWith(e, nodes)}
}

// branchName names the branch taken for the key.
func branchName(choose, taken *apimpolicy.Element) string {
	for i, b := range choose.Elements() {
		if b == taken {
			return strconv.Itoa(i)
		}
	}
	return "none"
}

// mayRun notes what policies that may or may not run do: the variables
// they set are no longer known, and a forward-request among them may
// call the backend.
func (t *tracer) mayRun(nodes []apimpolicy.Node) {
	apimpolicy.Walk(nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		e, ok := n.(*apimpolicy.Element)
		if !ok {
			return true
		}
		switch e.Name {
		case "forward-request":
			t.p.Forwards = t.p.Forwards || t.section == "backend"
		case "set-variable":
			if a := e.Attr("name"); a != nil && a.Kind() == apimpolicy.Literal {
				name := strings.TrimSpace(a.Value())
				t.vars[name] = unknown(fmt.Sprintf("context.Variables[%q]: set in a branch this request may or may not take (at %s)", name, t.where(e)))
			}
		case "include-fragment":
			if doc, ok := t.frags[fragmentID(e)]; ok && !slices.Contains(t.including, e) && len(t.including) < apimpolicy.MaxDepth {
				t.including = append(t.including, e)
				t.mayRun(doc.Nodes)
				t.including = t.including[:len(t.including)-1]
			}
		default:
			t.otherSetters(e)
		}
		return true
	})
}

// eval evaluates an attribute's value for the request: a literal is the
// string it holds, one policy expression what it computes.
func (t *tracer) eval(a *apimpolicy.Attr) value {
	if a == nil {
		return unknown("no condition")
	}
	if len(a.Exprs) == 0 {
		return strVal(a.Value())
	}
	if len(a.Exprs) != 1 || a.Exprs[0].Err != "" {
		return unknown("a value that is not one policy expression")
	}
	p, ok := t.parsed[a]
	if !ok {
		p = parseCode(a.ExprCode(0).Text)
		t.parsed[a] = p
	}
	return t.env().evaluate(p)
}

// evalCode evaluates one policy expression's code for the request.
func (t *tracer) evalCode(code string) value { return t.env().evaluate(parseCode(code)) }

func (t *tracer) env() *evalEnv {
	return &evalEnv{req: t.req, vars: func(name string) (value, bool) {
		v, ok := t.vars[name]
		return v, ok
	}}
}

// where says where e stands, in the fragment that holds it if any.
func (t *tracer) where(e *apimpolicy.Element) string {
	s := fmt.Sprintf("line %d, column %d", e.Pos.Line, e.Pos.Column)
	if n := len(t.including); n > 0 {
		s += fmt.Sprintf(" of the fragment %q", fragmentID(t.including[n-1]))
	}
	return s
}

// Text is the text of e (a set-body, a set-header's <value>) as this
// request computes it at the end of its path: literal text as written
// (trimmed), or one policy expression that gives a string. ok is false
// when sseready does not compute it.
func (p Path) Text(e *apimpolicy.Element) (string, bool) {
	var code string
	for _, n := range e.Children {
		var raw string
		var exprs []apimpolicy.Expr
		var codeOf func(int) apimpolicy.Code
		switch n := n.(type) {
		case *apimpolicy.Text:
			raw, exprs, codeOf = apimpolicy.Unescape(n.Raw), n.Exprs, n.ExprCode
		case *apimpolicy.CData:
			raw, exprs, codeOf = n.Raw, n.Exprs, n.ExprCode
		default:
			continue
		}
		switch {
		case len(exprs) == 0 && strings.TrimSpace(raw) == "":
		case len(exprs) == 0:
			if code != "" {
				return "", false
			}
		case len(exprs) == 1 && code == "" && strings.TrimSpace(codeOf(0).Text) == strings.TrimSpace(raw):
			code = codeOf(0).Text
		default:
			return "", false
		}
	}
	if code == "" {
		return e.TextValue(), true
	}
	if p.t == nil {
		return "", false
	}
	v := p.t.evalCode(code)
	switch v.k {
	case vString, vJString:
		return v.s, true
	}
	return "", false
}
