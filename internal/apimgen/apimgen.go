// Package apimgen renders SSE-ready APIM policy documents: Microsoft's
// recommended policy for Server-Sent Events, with the user's own policies
// placed in its sections and checked by the same rules as any document.
package apimgen

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Names of the inputs, as errors report them. They are the provider's
// attribute names, so a Terraform diagnostic can point at the attribute.
const (
	FieldTimeout         = "timeout"
	FieldHTTPVersion     = "http_version"
	FieldBackendID       = "backend_id"
	FieldInbound         = "inbound_xml"
	FieldOutbound        = "outbound_xml"
	FieldOnError         = "on_error_xml"
	FieldAcceptedRules   = "accepted_rules"
	FieldFragments       = "fragments"
	DefaultTimeout       = apimcheck.MicrosoftTimeout
	DefaultFailOnErrorSC = true
)

// Spec describes the policy to render. The zero value renders Microsoft's
// recommended SSE policy.
type Spec struct {
	// Timeout is forward-request's timeout in seconds (nil: 120).
	Timeout *int64
	// FailOnErrorStatusCode is forward-request's fail-on-error-status-code
	// (nil: true, as in Microsoft's example).
	FailOnErrorStatusCode *bool
	// HTTPVersion is forward-request's http-version: "", "1", "2" or
	// "2or1"; "" leaves it out (APIM's default, 1).
	HTTPVersion string
	// IncludeBase starts each section with <base /> (nil: true).
	IncludeBase *bool
	// CacheControlNoCache makes <outbound> set Cache-Control: no-cache.
	CacheControlNoCache bool
	// BackendID, when set, adds <set-backend-service backend-id="..."/> to
	// <inbound>, after the user's inbound policies (a backend-id
	// expression may read the variables they set).
	BackendID string
	// Inbound, Outbound and OnError are the user's own policies for those
	// sections, as XML.
	Inbound, Outbound, OnError string
	// AcceptedRules are the rules whose errors the user accepts, each
	// "SSE110" or "SSE110: the reason": they are reported as accepted
	// findings instead of failing the render.
	AcceptedRules []string
	// Fragments are policy fragments by fragment-id: an include-fragment
	// in the user's policies is checked with the fragment's policies.
	Fragments map[string]string
}

// Result is a rendered policy.
type Result struct {
	// XML is the document, for azurerm's xml_content.
	XML string
	// Findings are the check of XML: warnings, infos and accepted errors,
	// located in XML.
	Findings []rules.Finding
}

// Render builds the document. Each problem with the inputs is returned as
// an *input.Error naming the input; there is no result unless there are
// none.
func Render(spec Spec) (Result, []*input.Error) {
	r := renderer{spec: spec, accepted: map[string]bool{}}
	r.validate()
	sections := r.sections()
	if len(r.errs) > 0 {
		return Result{}, r.errs
	}
	xml := printDocument(sections)
	doc, err := apimpolicy.Parse([]byte(xml))
	if err != nil {
		return Result{}, []*input.Error{{Msg: "the rendered policy does not parse (a bug in sseready, please report it): " + err.Error()}}
	}
	res := apimcheck.Check(doc, r.checkOptions(apimcheck.API))
	for _, f := range res.Findings {
		if f.Severity == rules.Error {
			return Result{}, []*input.Error{{Msg: "the rendered policy fails its own check (a bug in sseready, please report it): " + f.String()}}
		}
	}
	return Result{XML: xml, Findings: res.Findings}, nil
}

type renderer struct {
	spec      Spec
	accepted  map[string]bool
	accepts   []rules.Acceptance
	fragments map[string]*apimpolicy.Document
	errs      []*input.Error
}

func (r *renderer) checkOptions(scope apimcheck.Scope) apimcheck.Options {
	return apimcheck.Options{Scope: scope, Fragments: r.fragments, Accepted: r.accepts, AcceptedFrom: "in accepted_rules"}
}

func (r *renderer) fail(field string, format string, args ...any) {
	r.errs = append(r.errs, input.Errorf(field, format, args...))
}

func (r *renderer) validate() {
	for _, s := range r.spec.AcceptedRules {
		a, err := rules.ParseAcceptance(s)
		if err != nil {
			r.fail(FieldAcceptedRules, "%v", err)
			continue
		}
		r.accepted[a.Rule] = true
		r.accepts = append(r.accepts, a)
	}
	if len(r.spec.Fragments) > 0 {
		docs, errs := apimcheck.ParseFragments(r.spec.Fragments)
		r.errs = append(r.errs, apimcheck.FragmentInputErrors(FieldFragments, errs)...)
		r.fragments = docs
	}
	if t := r.spec.Timeout; t != nil {
		switch {
		case *t < 0:
			r.fail(FieldTimeout, "%d is negative: forward-request's timeout is 0 or more seconds", *t)
		case *t > apimcheck.MaxHonoredTimeout && !r.accepted[rules.TimeoutOver240]:
			r.fail(FieldTimeout, "%d is over %d seconds, which APIM may not honor (%s). It bounds the wait for the response headers, not the stream, so streams need no more; set %d or less, or accept %s in accepted_rules",
				*t, apimcheck.MaxHonoredTimeout, rules.TimeoutOver240, apimcheck.MaxHonoredTimeout, rules.TimeoutOver240)
		}
	}
	switch r.spec.HTTPVersion {
	case "", "1", "2", "2or1":
	default:
		r.fail(FieldHTTPVersion, "%q is not an http-version of forward-request: use 1, 2 or 2or1", r.spec.HTTPVersion)
	}
	if id := r.spec.BackendID; id != "" {
		if err := checkString(id); err != nil {
			r.fail(FieldBackendID, "%s", err)
		}
	}
}

// checkString accepts a string for an attribute value: XML 1.0 cannot
// carry control characters other than tab and line breaks, and a value
// that starts like a policy expression must be one.
func checkString(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("the value is blank")
	}
	for _, c := range s {
		if !apimpolicy.IsXMLChar(c) {
			return fmt.Errorf("the value holds the character %U, which an XML document cannot carry", c)
		}
	}
	if err := apimpolicy.ValidateValue(s); err != nil {
		return fmt.Errorf("the value %w", err)
	}
	return nil
}

func (r *renderer) includeBase() bool { return r.spec.IncludeBase == nil || *r.spec.IncludeBase }

// section is one section of the document: generated elements first, then
// the user's nodes as written, then generated elements that must come
// after them.
type section struct {
	name      string
	generated []*apimpolicy.Element
	user      []apimpolicy.Node
	after     []*apimpolicy.Element
}

func (r *renderer) sections() []section {
	base := func() []*apimpolicy.Element {
		if r.includeBase() {
			return []*apimpolicy.Element{apimpolicy.NewElement("base")}
		}
		return nil
	}
	in := section{name: "inbound", generated: base()}
	in.user = r.userNodes(FieldInbound, "inbound", r.spec.Inbound)
	if r.spec.BackendID != "" {
		in.after = append(in.after, apimpolicy.NewElement("set-backend-service", "backend-id", r.spec.BackendID))
	}

	be := section{name: "backend", generated: []*apimpolicy.Element{r.forwardRequest()}}

	out := section{name: "outbound", generated: base()}
	if r.spec.CacheControlNoCache {
		h := apimpolicy.NewElement("set-header", "name", "Cache-Control", "exists-action", "override")
		v := &apimpolicy.Element{Name: "value"}
		v.Append(apimpolicy.NewText("no-cache"))
		h.Append(v)
		out.generated = append(out.generated, h)
	}
	out.user = r.userNodes(FieldOutbound, "outbound", r.spec.Outbound)

	onErr := section{name: "on-error", generated: base()}
	onErr.user = r.userNodes(FieldOnError, "on-error", r.spec.OnError)
	return []section{in, be, out, onErr}
}

func (r *renderer) forwardRequest() *apimpolicy.Element {
	timeout := int64(DefaultTimeout)
	if r.spec.Timeout != nil {
		timeout = *r.spec.Timeout
	}
	fail := DefaultFailOnErrorSC
	if r.spec.FailOnErrorStatusCode != nil {
		fail = *r.spec.FailOnErrorStatusCode
	}
	attrs := []string{"timeout", strconv.FormatInt(timeout, 10)}
	if r.spec.HTTPVersion != "" {
		attrs = append(attrs, "http-version", r.spec.HTTPVersion)
	}
	attrs = append(attrs, "fail-on-error-status-code", strconv.FormatBool(fail), "buffer-response", "false")
	return apimpolicy.NewElement("forward-request", attrs...)
}

// userNodes parses and checks the user's policies for one section.
func (r *renderer) userNodes(field, sectionName, src string) []apimpolicy.Node {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	err := apimpolicy.CheckChars([]byte(src))
	var nodes []apimpolicy.Node
	if err == nil {
		nodes, err = apimpolicy.ParseNodes([]byte(src))
	}
	if err != nil {
		// Both return a *SyntaxError; anything else is reported without a place.
		e := &input.Error{Field: field, Msg: err.Error()}
		var se *apimpolicy.SyntaxError
		if errors.As(err, &se) {
			e = &input.Error{Field: field, Line: se.Pos.Line, Column: se.Pos.Column, Msg: se.Msg}
		}
		r.errs = append(r.errs, e)
		return nil
	}
	nodes = trimSpaceNodes(nodes)
	before := len(r.errs)
	for _, n := range nodes {
		at := n.Start()
		switch n := n.(type) {
		case *apimpolicy.Text:
			if text := strings.TrimSpace(n.Raw); text != "" {
				r.errs = append(r.errs, &input.Error{Field: field, Line: at.Line, Column: at.Column,
					Msg: fmt.Sprintf("text %q stands outside any policy element", text)})
			}
		case *apimpolicy.CData, *apimpolicy.ProcInst, *apimpolicy.Directive:
			r.errs = append(r.errs, &input.Error{Field: field, Line: at.Line, Column: at.Column,
				Msg: "only policy elements and comments can stand directly in a section"})
		case *apimpolicy.Element:
			r.userElement(field, sectionName, n)
		}
	}
	if len(r.errs) > before {
		return nil
	}
	for _, f := range apimcheck.CheckNodes(nodes, sectionName, r.checkOptions(apimcheck.API)).Findings {
		if f.Severity == rules.Error {
			msg := fmt.Sprintf("%s: %s (to keep it anyway, add %q to accepted_rules)", f.Rule, f.Message, f.Rule)
			if f.Fragment != "" {
				msg = fmt.Sprintf("in fragment %q, line %d, column %d: %s", f.Fragment, f.Line, f.Column, msg)
				r.errs = append(r.errs, &input.Error{Field: field, Msg: msg})
				continue
			}
			r.errs = append(r.errs, &input.Error{Field: field, Line: f.Line, Column: f.Column, Msg: msg})
		}
	}
	for _, n := range nodes {
		reindent(n, lineIndent(src, n.Start().Offset), indent+indent)
	}
	return nodes
}

// lineIndent returns the whitespace before offset on its line in src, or
// "" when other text stands there first.
func lineIndent(src string, offset int) string {
	start := strings.LastIndexAny(src[:offset], "\r\n") + 1
	if prefix := src[start:offset]; strings.TrimLeft(prefix, " \t") == "" {
		return prefix
	}
	return ""
}

// reindent moves a user's policy written over several lines from its
// indentation in the input (from) to the document's (to), so a heredoc's
// indentation does not carry into the document. Only whitespace between
// tags and attributes changes: text, expressions, CDATA and comments keep
// every byte.
func reindent(n apimpolicy.Node, from, to string) {
	e, ok := n.(*apimpolicy.Element)
	if !ok {
		return
	}
	for _, a := range e.Attrs {
		a.Space = shiftLines(a.Space, from, to)
	}
	e.TagSpace = shiftLines(e.TagSpace, from, to)
	for _, c := range e.Children {
		if t, ok := c.(*apimpolicy.Text); ok && strings.TrimSpace(t.Raw) == "" {
			t.Raw = shiftLines(t.Raw, from, to)
		}
		reindent(c, from, to)
	}
}

// shiftLines re-indents the lines that whitespace ws starts: from is taken
// off each and to put on.
func shiftLines(ws, from, to string) string {
	if !strings.Contains(ws, "\n") {
		return ws
	}
	lines := strings.Split(ws, "\n")
	for i := 1; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, from) {
			line = line[len(from):]
		} else {
			line = strings.TrimLeft(line, " \t")
		}
		lines[i] = to + line
	}
	return strings.Join(lines, "\n")
}

func (r *renderer) userElement(field, sectionName string, e *apimpolicy.Element) {
	at := e.Pos
	switch e.Name {
	case "base":
		if r.includeBase() {
			r.errs = append(r.errs, &input.Error{Field: field, Line: at.Line, Column: at.Column,
				Msg: "<base /> is already written at the start of the section: remove it here, or set include_base = false to place it yourself"})
		}
	case "inbound", "backend", "outbound", "on-error", "policies":
		r.errs = append(r.errs, &input.Error{Field: field, Line: at.Line, Column: at.Column,
			Msg: fmt.Sprintf("write the policies that go inside <%s>, not the <%s> element itself", sectionName, e.Name)})
	case "forward-request":
		r.errs = append(r.errs, &input.Error{Field: field, Line: at.Line, Column: at.Column,
			Msg: "forward-request belongs in <backend>, which this data source writes (set timeout, http_version and fail_on_error_status_code instead)"})
	}
}

// trimSpaceNodes drops whitespace-only text at both ends: it carries no
// meaning between policies, and the renderer indents the section itself.
func trimSpaceNodes(nodes []apimpolicy.Node) []apimpolicy.Node {
	blank := func(n apimpolicy.Node) bool {
		t, ok := n.(*apimpolicy.Text)
		return ok && strings.TrimSpace(t.Raw) == ""
	}
	for len(nodes) > 0 && blank(nodes[0]) {
		nodes = nodes[1:]
	}
	for len(nodes) > 0 && blank(nodes[len(nodes)-1]) {
		nodes = nodes[:len(nodes)-1]
	}
	return nodes
}

const indent = "    "

// printDocument lays the sections out as Microsoft's examples do: four
// spaces a level, one policy a line. The user's nodes are printed exactly
// as written, each starting on a line of its own.
func printDocument(sections []section) string {
	var b strings.Builder
	b.WriteString("<policies>\n")
	for _, s := range sections {
		if len(s.generated) == 0 && len(s.user) == 0 && len(s.after) == 0 {
			fmt.Fprintf(&b, "%s<%s />\n", indent, s.name)
			continue
		}
		fmt.Fprintf(&b, "%s<%s>\n", indent, s.name)
		for _, e := range s.generated {
			writeIndented(&b, e, 2)
		}
		for _, n := range s.user {
			if t, ok := n.(*apimpolicy.Text); ok {
				// Whitespace between the user's policies: keep line breaks,
				// re-indent the next line.
				if lines := strings.Count(t.Raw, "\n"); lines > 1 {
					b.WriteString("\n")
				}
				continue
			}
			b.WriteString(indent + indent)
			b.WriteString(apimpolicy.PrintNode(n))
			b.WriteString("\n")
		}
		for _, e := range s.after {
			writeIndented(&b, e, 2)
		}
		fmt.Fprintf(&b, "%s</%s>\n", indent, s.name)
	}
	b.WriteString("</policies>\n")
	return b.String()
}

// writeIndented prints a generated element, its element children one per
// line below it.
func writeIndented(b *strings.Builder, e *apimpolicy.Element, depth int) {
	pad := strings.Repeat(indent, depth)
	kids := e.Elements()
	if len(kids) == 0 {
		b.WriteString(pad + apimpolicy.PrintNode(e) + "\n")
		return
	}
	b.WriteString(pad + e.StartTag() + "\n")
	for _, k := range kids {
		writeIndented(b, k, depth+1)
	}
	b.WriteString(pad + "</" + e.Name + ">\n")
}
