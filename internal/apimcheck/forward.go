package apimcheck

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// MaxHonoredTimeout is the largest forward-request timeout, in seconds,
// that APIM is documented to honor.
const MaxHonoredTimeout = 240

// DefaultForwardTimeout is forward-request's timeout when none is set.
const DefaultForwardTimeout = 300

// forwardRequest checks one <forward-request>: buffering, timeouts and the
// attribute values APIM accepts.
func (c *checker) forwardRequest(e *apimpolicy.Element, at place) {
	note := at.branchNote()
	setFalse := func() { e.SetAttr("buffer-response", "false") }
	switch br := e.Attr("buffer-response"); {
	case br == nil:
		c.reportFix(rules.ForwardRequestBuffers, e.Pos, e.Name, setFalse,
			`forward-request has no buffer-response, so it buffers the response in 8 KB units (the default is true): add buffer-response="false"%s`, note)
	case br.Kind() == apimpolicy.Expression:
		c.report(rules.BufferResponseNotLiteral, br.Pos, e.Name,
			`buffer-response takes no policy expressions: write buffer-response="false"%s`, note)
	case br.Kind() == apimpolicy.NamedValue:
		f := c.report(rules.BufferResponseNotLiteral, br.Pos, e.Name,
			`buffer-response comes from a named value (%s) whose value sseready cannot see: make sure it is false, or write buffer-response="false"%s`, br.Value(), note)
		f.Severity = rules.Warning
	default:
		v, ok := parseBool(br.Value())
		switch {
		case !ok:
			c.reportFix(rules.ForwardRequestBuffers, br.Pos, e.Name, setFalse,
				`buffer-response=%q is neither true nor false: write buffer-response="false"%s`, br.Value(), note)
		case v:
			c.reportFix(rules.ForwardRequestBuffers, br.Pos, e.Name, setFalse,
				`forward-request has buffer-response=%q, so it buffers the response in 8 KB units: set buffer-response="false"%s`, br.Value(), note)
		}
	}
	c.forwardTimeout(e, note)
	c.forwardAttributeValues(e)
}

func (c *checker) forwardTimeout(e *apimpolicy.Element, note string) {
	t, tms := e.Attr("timeout"), e.Attr("timeout-ms")
	if t != nil && tms != nil {
		c.report(rules.TimeoutAndTimeoutMs, tms.Pos, e.Name,
			"forward-request has both timeout and timeout-ms, and APIM accepts only one: remove one%s", note)
	}
	if t == nil && tms == nil {
		c.report(rules.TimeoutOver240, e.Pos, e.Name,
			`forward-request has no timeout, so APIM waits up to the default %d s for the response headers, and over %d s may not be honored: set timeout="120" (Microsoft's SSE example) or another value up to %d%s`,
			DefaultForwardTimeout, MaxHonoredTimeout, MaxHonoredTimeout, note)
	}
	for _, a := range []*apimpolicy.Attr{t, tms} {
		if a == nil {
			continue
		}
		scale, unit := 1, "seconds"
		if a.Name == "timeout-ms" {
			scale, unit = 1000, "milliseconds"
		}
		if a.Kind() != apimpolicy.Literal {
			f := c.report(rules.TimeoutOver240, a.Pos, e.Name,
				"%s is computed when the policy runs (%s); sseready cannot check that it stays at or below %d seconds%s",
				a.Name, a.Value(), MaxHonoredTimeout, note)
			f.Severity = rules.Info
			continue
		}
		v := strings.TrimSpace(a.Value())
		n, err := strconv.ParseInt(v, 10, 64)
		if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
			n, err = math.MaxInt64, nil // all digits, too many of them
		}
		switch {
		case err != nil || n < 0:
			c.report(rules.ForwardAttributeInvalid, a.Pos, e.Name,
				"%s=%q is not a whole number of %s (0 or more)%s", a.Name, a.Value(), unit, note)
		case n > int64(MaxHonoredTimeout*scale):
			c.report(rules.TimeoutOver240, a.Pos, e.Name,
				"%s=%q is over %d seconds, which may not be honored (it bounds the wait for the response headers, not the stream): set it to %d or below%s",
				a.Name, a.Value(), MaxHonoredTimeout, MaxHonoredTimeout*scale, note)
		}
	}
}

// forwardAttributeValues checks the literal values of the attributes whose
// domain the documentation gives.
func (c *checker) forwardAttributeValues(e *apimpolicy.Element) {
	for _, a := range e.Attrs {
		if a.Kind() != apimpolicy.Literal {
			continue
		}
		v := strings.TrimSpace(a.Value())
		switch a.Name {
		case "http-version":
			if v != "1" && v != "2" && v != "2or1" {
				c.report(rules.ForwardAttributeInvalid, a.Pos, e.Name, `http-version=%q is not one of 1, 2, 2or1`, a.Value())
			}
		case "fail-on-error-status-code", "follow-redirects", "buffer-request-body":
			if _, ok := parseBool(v); !ok {
				c.report(rules.ForwardAttributeInvalid, a.Pos, e.Name, `%s=%q is neither true nor false`, a.Name, a.Value())
			}
		}
	}
}

// ForwardRequestTimeout is how long a forward-request waits for the
// response headers: its literal timeout or timeout-ms, or APIM's default
// when it has neither. ok is false when the value is computed (a policy
// expression or named value) or not a number.
func ForwardRequestTimeout(e *apimpolicy.Element) (d time.Duration, ok bool) {
	read := func(a *apimpolicy.Attr, unit time.Duration) (time.Duration, bool) {
		if a.Kind() != apimpolicy.Literal {
			return 0, false
		}
		n, err := strconv.ParseInt(strings.TrimSpace(a.Value()), 10, 64)
		if err != nil || n < 0 || n > math.MaxInt64/int64(unit) {
			return 0, false
		}
		return time.Duration(n) * unit, true
	}
	if a := e.Attr("timeout"); a != nil {
		return read(a, time.Second)
	}
	if a := e.Attr("timeout-ms"); a != nil {
		return read(a, time.Millisecond)
	}
	return DefaultForwardTimeout * time.Second, true
}

// parseBool reads a boolean as .NET's bool.Parse does: "true" or "false"
// in any case, surrounding whitespace ignored.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// backend checks that a <policies> document forwards the request, and
// what it inherits when its <backend> only says <base />.
func (c *checker) backend(root *apimpolicy.Element) {
	be := root.Child("backend")
	if be == nil {
		f := c.report(rules.NoForwardRequest, root.Pos, root.Name,
			`the document has no <backend> section, and what APIM then does is not in sseready's sources: add <backend> with <forward-request buffer-response="false" />`)
		f.Severity = rules.Warning
		return
	}
	type baseAt struct {
		base, parent *apimpolicy.Element
	}
	var bases []baseAt
	var fragments []string
	forwards := false
	apimpolicy.Walk(be.Children, func(n apimpolicy.Node, ancestors []*apimpolicy.Element) bool {
		e, ok := n.(*apimpolicy.Element)
		if !ok {
			return true
		}
		switch e.Name {
		case "forward-request":
			forwards = true
		case "include-fragment":
			id := "?"
			if a := e.Attr("fragment-id"); a != nil {
				id = a.Value()
			}
			fragments = append(fragments, strconv.Quote(id))
		case "base":
			parent := be
			if len(ancestors) > 0 {
				parent = ancestors[len(ancestors)-1]
			}
			bases = append(bases, baseAt{e, parent})
		}
		return true
	})
	// Each <base /> is the forwarding step of its path unless the path
	// forwards the request itself: a <choose> branch that only says
	// <base /> inherits the buffering default even when another branch
	// has its own forward-request.
	for _, b := range bases {
		if !forwardsBeside(b.parent, b.base) {
			c.inheritedBackend(b.base, b.parent)
		}
	}
	switch {
	case forwards || len(bases) > 0:
	case len(fragments) > 0:
		f := c.report(rules.NoForwardRequest, be.Pos, be.Name,
			`<backend> forwards only through the fragment %s, which sseready cannot see: it must hold forward-request with buffer-response="false"`, strings.Join(fragments, ", "))
		f.Severity = rules.Warning
	default:
		c.report(rules.NoForwardRequest, be.Pos, be.Name,
			`<backend> has neither forward-request nor <base />: the request is never forwarded, so the SSE backend is not called`)
	}
}

// forwardsBeside reports whether a sibling of base under parent is, or
// holds, a forward-request.
func forwardsBeside(parent, base *apimpolicy.Element) bool {
	found := false
	for _, sib := range parent.Elements() {
		if sib == base {
			continue
		}
		apimpolicy.Walk([]apimpolicy.Node{sib}, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
			if e, ok := n.(*apimpolicy.Element); ok && e.Name == "forward-request" {
				found = true
			}
			return !found
		})
	}
	return found
}

func (c *checker) inheritedBackend(base, parent *apimpolicy.Element) {
	switch c.scope {
	case Operation:
		f := c.report(rules.BackendInheritsBuffering, base.Pos, "base",
			`at operation scope <base /> runs the API-scope <backend>: events are relayed at once only if that policy's forward-request has buffer-response="false"; check it with scope api`)
		f.Severity = rules.Warning
	case Product, Workspace:
		f := c.report(rules.BackendInheritsBuffering, base.Pos, "base",
			`at %s scope <base /> inherits the global default forward-request, which buffers (buffer-response defaults to true): every SSE API in the %s must forward the request itself with buffer-response="false"; check those API policies`, c.scope, c.scope)
		f.Severity = rules.Warning
	default:
		repl := apimpolicy.NewElement("forward-request", "buffer-response", "false")
		c.reportFix(rules.BackendInheritsBuffering, base.Pos, "base", func() { parent.ReplaceChild(base, repl) },
			`<backend> only says <base />, so at %s scope it inherits the default forward-request, which buffers (buffer-response defaults to true): replace <base /> with <forward-request buffer-response="false" />`, c.scope)
	}
}

// expressionSyntax reports every policy expression the parser kept
// although it does not scan as C#.
func (c *checker) expressionSyntax(nodes []apimpolicy.Node) {
	apimpolicy.Walk(nodes, func(n apimpolicy.Node, ancestors []*apimpolicy.Element) bool {
		switch n := n.(type) {
		case *apimpolicy.Element:
			for _, a := range n.Attrs {
				for _, x := range a.Exprs {
					if x.Err != "" {
						c.report(rules.ExpressionSyntax, x.ErrPos, n.Name,
							"the policy expression in %s is not valid C#: %s", a.Name, x.Err)
					}
				}
			}
		case *apimpolicy.Text:
			for _, x := range n.Exprs {
				if x.Err != "" && len(ancestors) > 0 {
					c.report(rules.ExpressionSyntax, x.ErrPos, ancestors[len(ancestors)-1].Name,
						"the policy expression is not valid C#: %s", x.Err)
				}
			}
		}
		return true
	})
}
