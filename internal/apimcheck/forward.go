package apimcheck

import (
	"errors"
	"math"
	"slices"
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
	setFalse := func() { e.SetAttr("buffer-response", "false") }
	switch br := e.Attr("buffer-response"); {
	case br == nil:
		c.reportFix(rules.ForwardRequestBuffers, e.Pos, at, e, "", setFalse,
			`forward-request has no buffer-response, so it buffers the response in 8 KB units (the default is true): add buffer-response="false"`)
	case br.Kind() == apimpolicy.Expression:
		c.report(rules.BufferResponseNotLiteral, br.Pos, at, e, br.Name,
			`buffer-response takes no policy expressions: write buffer-response="false"`)
	case br.Kind() == apimpolicy.NamedValue:
		f := c.report(rules.BufferResponseNotLiteral, br.Pos, at, e, br.Name,
			`buffer-response comes from a named value (%s) whose value sseready cannot see: make sure it is false, or write buffer-response="false"`, br.Value())
		if f.Severity == rules.Error {
			f.Severity = rules.Warning
		}
	default:
		v, ok := parseBool(br.Value())
		switch {
		case !ok:
			c.reportFix(rules.ForwardRequestBuffers, br.Pos, at, e, br.Name, setFalse,
				`buffer-response=%q is neither true nor false: write buffer-response="false"`, br.Value())
		case v:
			c.reportFix(rules.ForwardRequestBuffers, br.Pos, at, e, br.Name, setFalse,
				`forward-request has buffer-response=%q, so it buffers the response in 8 KB units: set buffer-response="false"`, br.Value())
		}
	}
	c.forwardTimeout(e, at)
	c.forwardAttributeValues(e, at)
}

func (c *checker) forwardTimeout(e *apimpolicy.Element, at place) {
	t, tms := e.Attr("timeout"), e.Attr("timeout-ms")
	if t != nil && tms != nil {
		c.report(rules.TimeoutAndTimeoutMs, tms.Pos, at, e, tms.Name,
			"forward-request has both timeout and timeout-ms, and APIM accepts only one: remove one")
	}
	if t == nil && tms == nil {
		c.report(rules.TimeoutOver240, e.Pos, at, e, "",
			`forward-request has no timeout, so APIM waits up to the default %d s for the response headers, and over %d s may not be honored: set timeout="%d" (Microsoft's SSE example) or another value up to %d`,
			DefaultForwardTimeout, MaxHonoredTimeout, MicrosoftTimeout, MaxHonoredTimeout)
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
			f := c.report(rules.TimeoutOver240, a.Pos, at, e, a.Name,
				"%s is computed when the policy runs (%s); sseready cannot check that it stays at or below %d seconds",
				a.Name, a.Value(), MaxHonoredTimeout)
			f.Severity = rules.Info
			continue
		}
		n, ok := wholeNumber(a.Value())
		switch {
		case !ok:
			c.report(rules.ForwardAttributeInvalid, a.Pos, at, e, a.Name,
				"%s=%q is not a whole number of %s (0 or more)", a.Name, a.Value(), unit)
		case n > int64(MaxHonoredTimeout*scale):
			c.report(rules.TimeoutOver240, a.Pos, at, e, a.Name,
				"%s=%q is over %d seconds, which may not be honored (it bounds the wait for the response headers, not the stream): set it to %d or below",
				a.Name, a.Value(), MaxHonoredTimeout, MaxHonoredTimeout*scale)
		}
	}
}

// wholeNumber reads a non-negative whole number as APIM's attributes take
// it; all digits but too many of them reads as the largest int64.
func wholeNumber(s string) (int64, bool) {
	v := strings.TrimSpace(s)
	n, err := strconv.ParseInt(v, 10, 64)
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
		return math.MaxInt64, true
	}
	return n, err == nil && n >= 0
}

// forwardAttributeValues checks the literal values of the attributes whose
// domain the documentation gives (every documented attribute may also be
// a policy expression, except buffer-response, checked above).
func (c *checker) forwardAttributeValues(e *apimpolicy.Element, at place) {
	for _, a := range e.Attrs {
		if a.Kind() != apimpolicy.Literal {
			continue
		}
		v := strings.TrimSpace(a.Value())
		switch a.Name {
		case "http-version":
			switch v {
			case "1":
			case "2", "2or1":
				c.report(rules.HTTP2Preview, a.Pos, at, e, a.Name,
					`http-version=%q asks for HTTP/2 to the backend, which is preview and only on the v2 tiers and self-hosted gateways: leave it out for HTTP/1.1 unless the instance is one of those`, a.Value())
			default:
				c.report(rules.ForwardAttributeInvalid, a.Pos, at, e, a.Name, `http-version=%q is not one of 1, 2, 2or1`, a.Value())
			}
		case "continue-timeout":
			if _, ok := wholeNumber(v); !ok {
				c.report(rules.ForwardAttributeInvalid, a.Pos, at, e, a.Name, "continue-timeout=%q is not a whole number of seconds (0 or more)", a.Value())
			}
		case "fail-on-error-status-code", "follow-redirects", "buffer-request-body":
			if _, ok := parseBool(v); !ok {
				c.report(rules.ForwardAttributeInvalid, a.Pos, at, e, a.Name, `%s=%q is neither true nor false`, a.Name, a.Value())
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
	if c.neverPast != nil {
		return // no request gets there: answer() said so once
	}
	be := root.Child("backend")
	// The place of a finding about the document's backend (made only for
	// one: most documents have none).
	docPlace := func() place { return place{ancestors: []*apimpolicy.Element{root}, plain: true} }
	if be == nil {
		f := c.report(rules.NoForwardRequest, root.Pos, docPlace(), root, "",
			`the document has no <backend> section, and what APIM then does is not in sseready's sources: add <backend> with <forward-request timeout="%d" buffer-response="false" />`, MicrosoftTimeout)
		f.Severity = rules.Warning
		return
	}
	type baseAt struct {
		base, parent *apimpolicy.Element
		ancestors    []*apimpolicy.Element
	}
	var bases []baseAt
	var fragments []string
	forwards := false
	c.expand(be.Children, []*apimpolicy.Element{root, be}, func(e *apimpolicy.Element, anc []*apimpolicy.Element) bool {
		switch e.Name {
		case "forward-request":
			forwards = true
		case "include-fragment":
			if _, given := c.opts.Fragments[fragmentID(e)]; !given {
				fragments = append(fragments, strconv.Quote(fragmentID(e)))
			}
		case "base":
			bases = append(bases, baseAt{e, anc[len(anc)-1], slices.Clone(anc)})
		}
		return true
	})
	// Each <base /> is the forwarding step of its path unless the path
	// forwards the request itself: a <choose> branch that only says
	// <base /> inherits the buffering default even when another branch
	// has its own forward-request.
	for _, b := range bases {
		if !c.forwardsBeside(b.parent, b.base) {
			c.inheritedBackend(b.base, b.parent, expandedPlace(secBackend, b.ancestors))
		}
	}
	switch {
	case forwards || len(bases) > 0:
	case len(fragments) > 0:
		f := c.report(rules.NoForwardRequest, be.Pos, docPlace(), be, "",
			`<backend> forwards only through the fragment %s, which sseready cannot see: it must hold forward-request with buffer-response="false"`, strings.Join(fragments, ", "))
		f.Severity = rules.Warning
	default:
		// Nothing streams on a path that calls no backend: OAuth and
		// metadata endpoints (of MCP APIs, say) answer this way.
		f := c.report(rules.NoForwardRequest, be.Pos, docPlace(), be, "",
			`<backend> has neither forward-request nor <base />, so no backend is called on this path and nothing streams on it: if this API or operation should stream, forward the request with <forward-request timeout="%d" buffer-response="false" />`, MicrosoftTimeout)
		f.Severity = rules.Info
		return
	}
	if fl := c.flow; fl != nil && fl.forwardedEnd[wStream] == rNo && !fl.forwardedEnd.none() {
		if info := fl.info(be); info != nil && info.reach[wStream] != rNo {
			c.report(rules.NoForwardRequest, be.Pos, docPlace(), be, "",
				`<backend> forwards no request that asks for a stream (its forward-request stands in branches they do not take), so they get no events: forward them with <forward-request timeout="%d" buffer-response="false" />`, MicrosoftTimeout)
		}
	}
}

// forwardsBeside reports whether a sibling of base under parent is, or
// holds, a forward-request (through fragments given too).
func (c *checker) forwardsBeside(parent, base *apimpolicy.Element) bool {
	found := false
	for sib := range parent.ChildElements() {
		if sib == base {
			continue
		}
		c.expand([]apimpolicy.Node{sib}, nil, func(e *apimpolicy.Element, _ []*apimpolicy.Element) bool {
			found = found || e.Name == "forward-request"
			return !found
		})
	}
	return found
}

func (c *checker) inheritedBackend(base, parent *apimpolicy.Element, at place) {
	switch c.scope {
	case Operation:
		f := c.report(rules.BackendInheritsBuffering, base.Pos, at, base, "",
			`at operation scope <base /> runs the API-scope <backend>: events are relayed at once only if that policy's forward-request has buffer-response="false"; check it with scope api`)
		lowerToWarning(f)
	case Product, Workspace:
		f := c.report(rules.BackendInheritsBuffering, base.Pos, at, base, "",
			`at %s scope <base /> inherits the global default forward-request, which buffers (buffer-response defaults to true): every SSE API in the %s must forward the request itself with buffer-response="false"; check those API policies`, c.scope, c.scope)
		lowerToWarning(f)
	default:
		replace := func() {
			parent.ReplaceChild(base, apimpolicy.NewElement("forward-request", "timeout", strconv.Itoa(MicrosoftTimeout), "buffer-response", "false"))
		}
		c.reportFix(rules.BackendInheritsBuffering, base.Pos, at, base, "", replace,
			`<backend> only says <base />, so at %s scope it inherits the default forward-request, which buffers (buffer-response defaults to true): replace <base /> with <forward-request timeout="%d" buffer-response="false" />`, c.scope, MicrosoftTimeout)
	}
}

// lowerToWarning makes an error a warning (where the answer is in a
// document not given); a milder severity set by the place stays.
func lowerToWarning(f *found) {
	if f.Severity == rules.Error {
		f.Severity = rules.Warning
	}
}

// expandedPlace is the place of an element found by expand: the
// fragment it is in follows from the include-fragment elements around it.
func expandedPlace(secs sections, ancestors []*apimpolicy.Element) place {
	at := place{sections: secs, ancestors: ancestors}
	for _, a := range ancestors {
		if a.Name == "include-fragment" {
			if at.fragment == "" {
				at.includedAt = a.Pos
			}
			at.fragment = fragmentID(a)
		}
	}
	return at
}
