package chaincheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// policies checks the policies of the path as APIM runs them: composed
// down the scope chain (apimcheck.Compose, the composition `lint DIR` and
// the gateway emulator run too), every finding traced to the policy or
// fragment that holds it. A policy's <backend> that the one below never
// reaches (an API's <backend> forwarding without <base />) is not judged.
//
// While a policy is unknown, the policies above it are composed (what it
// inherits is known) and those at or below its scope are checked alone,
// as is every policy when fewer than two scope policies (<policies>
// documents) are composed: alone, a policy is checked at its scope, and a
// <backend> that only says <base /> is settled by the policies above it,
// as far as they are known. A document that is no scope's policy (a
// fragment given at a scope) is always checked alone.
func (k *checker) policies(ps []Policy) {
	docs := make([]*apimpolicy.Document, len(ps))
	unknownAt := len(apimcheck.Scopes) // the highest scope of an unknown policy
	for i, p := range ps {
		if !k.known(PolicySetting(i)) {
			unknownAt = min(unknownAt, slices.Index(apimcheck.Scopes, scopeOrDefault(p.Scope)))
			continue
		}
		if doc, err := apimpolicy.Parse([]byte(p.XML)); err == nil {
			docs[i] = doc // a parse error is reported by validate
		}
	}
	var above []int
	for i, doc := range docs {
		if doc == nil || slices.Index(apimcheck.Scopes, scopeOrDefault(ps[i].Scope)) >= unknownAt {
			continue
		}
		if r := doc.Root(); r != nil && r.Name == "policies" {
			above = append(above, i)
		}
	}
	if len(above) < 2 || !k.composed(ps, docs, above) {
		above = nil
	}
	for i := range ps {
		if docs[i] != nil && !slices.Contains(above, i) {
			k.alone(ps, docs, i)
		}
	}
}

// composed checks the composition of the scope policies; false when they
// do not compose (validate reports two at one scope).
func (k *checker) composed(ps []Policy, docs []*apimpolicy.Document, scoped []int) bool {
	var given []apimcheck.ScopedPolicy
	index := map[*apimpolicy.Document]int{}
	for _, i := range scoped {
		given = append(given, apimcheck.ScopedPolicy{Scope: scopeOrDefault(ps[i].Scope), Doc: docs[i], Name: ps[i].label(i)})
		index[docs[i]] = i
	}
	comp, err := apimcheck.Compose(given)
	if err != nil {
		return false
	}
	top := slices.IndexFunc(given, func(p apimcheck.ScopedPolicy) bool { return p.Scope == comp.Top })
	for _, sf := range apimcheck.CheckComposition(&comp, apimcheck.Options{Fragments: k.fragments}) {
		if sf.Source == nil {
			k.fromDefault(sf.Finding, ps, index[given[top].Doc], given[top])
			continue
		}
		i := index[sf.Source.Doc]
		k.policyFinding(ps, i, sf.Source.Scope, sf.Finding)
	}
	// The forward-requests the path runs, each against the backend's wait
	// for its headers; the global default's has no document to fix.
	apimpolicy.Walk(comp.Doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		if e, ok := n.(*apimpolicy.Element); ok && e.Name == "forward-request" {
			if src, ok := comp.Source(e); ok {
				k.forwardTimeout(ps, index[src.Doc], src.Scope, e)
			}
		}
		return true
	})
	return true
}

// fromDefault turns what the composition says of APIM's global default
// (the composition stands on it when no global policy is given) into the
// finding on the <base /> that inherits it: its forward-request buffers.
// The default's other findings (its timeout) are left out: no document
// holds them.
func (k *checker) fromDefault(f rules.Finding, ps []Policy, i int, top apimcheck.ScopedPolicy) {
	if f.Rule != rules.ForwardRequestBuffers {
		return
	}
	base := firstBackendBase(top.Doc)
	if base == nil {
		return
	}
	fd := rules.MustLookup(rules.BackendInheritsBuffering).Finding(base.Pos.Line, base.Pos.Column, "base", "%s", inheritsDefault(top.Scope))
	fd.Severity = rules.Error
	k.policyFinding(ps, i, top.Scope, fd)
}

// inheritsDefault is the message of a <base /> in <backend> that inherits
// APIM's global default.
func inheritsDefault(scope apimcheck.Scope) string {
	return fmt.Sprintf("<base /> inherits APIM's global default <forward-request/>, which buffers the response (buffer-response defaults to true; no policy above %s scope is given, and if APIM's own global policy forwards with buffer-response=\"false\", this finding does not apply): forward the request here with buffer-response=\"false\"", scope)
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

// alone checks the i-th policy at its scope, then settles what a
// <backend> that only says <base /> inherits: the policies of the chain
// above its scope, composed, over APIM's global default when the chain has
// no global policy. An unknown policy above leaves the finding as the
// policy check gave it.
func (k *checker) alone(ps []Policy, docs []*apimpolicy.Document, i int) {
	scope := scopeOrDefault(ps[i].Scope)
	res := apimcheck.Check(docs[i], apimcheck.Options{Scope: scope, Fragments: k.fragments})
	for _, f := range res.Findings {
		if f.Rule == rules.BackendInheritsBuffering {
			switch v, from, settled := k.inherited(ps, docs, scope); {
			case !settled:
			case v == apimcheck.BackendStreams:
				continue // settled: the inherited <backend> streams
			case v == apimcheck.BackendBuffers && from == "":
				f.Severity, f.Message = rules.Error, inheritsDefault(scope)
			case v == apimcheck.BackendBuffers:
				f.Severity = rules.Error
				f.Message = fmt.Sprintf("<base /> inherits %s, which buffers the response: fix that, or forward the request here with buffer-response=\"false\"", from)
			}
		}
		k.policyFinding(ps, i, scope, f)
	}
	apimpolicy.Walk(docs[i].Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		if e, ok := n.(*apimpolicy.Element); ok && e.Name == "forward-request" {
			k.forwardTimeout(ps, i, scope, e)
		}
		return true
	})
}

// policyFinding adds a finding of the i-th policy: its Setting is the
// document that holds its line and column (the policy's, or the included
// fragment's), and its message names the policy unless the front end
// places it there by name.
func (k *checker) policyFinding(ps []Policy, i int, scope apimcheck.Scope, f rules.Finding) {
	f.Setting = PolicyXMLSetting(i)
	if f.Fragment != "" {
		f.Setting = FragmentSetting(f.Fragment)
	}
	if ps[i].Name == "" || f.Fragment != "" {
		f.Message = fmt.Sprintf("%s (%s scope): %s", ps[i].label(i), scopeOrDefault(scope), f.Message)
	}
	k.findings = append(k.findings, f)
}

// inherited judges the <backend> a policy at scope inherits: the chain's
// policies above it composed. settled is false when that cannot be told
// (a policy above is unknown, or its backend depends on a document not
// given); from names what decides, for the message ("" for APIM's global
// default, no policy being above).
func (k *checker) inherited(ps []Policy, docs []*apimpolicy.Document, scope apimcheck.Scope) (v apimcheck.BackendVerdict, from string, settled bool) {
	var above []apimcheck.ScopedPolicy
	var names []string
	for j, p := range ps {
		s := scopeOrDefault(p.Scope)
		if slices.Index(apimcheck.Scopes, s) >= slices.Index(apimcheck.Scopes, scope) {
			continue
		}
		if docs[j] == nil {
			return 0, "", false // unknown yet
		}
		if r := docs[j].Root(); r == nil || r.Name != "policies" {
			continue // a fragment does not stand at a scope of its own
		}
		above = append(above, apimcheck.ScopedPolicy{Scope: s, Doc: docs[j], Name: p.label(j)})
		names = append(names, fmt.Sprintf("%s (%s scope)", p.label(j), s))
	}
	if len(above) == 0 {
		return apimcheck.BackendBuffers, "", true
	}
	comp, err := apimcheck.Compose(above)
	if err != nil {
		return 0, "", false // two at one scope: reported by validate
	}
	v, _ = comp.Backend(apimcheck.Options{Fragments: k.fragments})
	from = "the <backend> of " + strings.Join(names, " and ")
	if comp.RunsDefaultForward() {
		from += ", which leaves APIM's global default <forward-request/> in force"
	}
	return v, from, v != apimcheck.BackendUncertain
}

// forwardTimeout checks a literal forward-request timeout of the i-th
// policy against the backend's longest wait for its response headers.
func (k *checker) forwardTimeout(ps []Policy, i int, scope apimcheck.Scope, e *apimpolicy.Element) {
	ttfb := k.chain.Backend.MaxTimeToHeaders
	if ttfb == 0 || !k.known(SettingBackendTTFB) {
		return
	}
	timeout, ok := apimcheck.ForwardRequestTimeout(e)
	if !ok {
		return
	}
	sev := rules.Severity("")
	switch {
	case ttfb >= timeout:
		sev = rules.Error
	case ttfb > timeout*3/4:
		sev = rules.Warning
	}
	if sev == "" {
		return
	}
	f := rules.MustLookup(rules.APIMHeadersTimeout).Finding(e.Pos.Line, e.Pos.Column, e.Name,
		"forward-request waits %s for the response headers, and the backend takes up to %s to send them: set timeout to at least %d (sseready_stream_profile.apim_forward_request_timeout), at most 240",
		timeout, ttfb, min(streamprofile.TimeoutFor(ttfb), streamprofile.APIMMaxHeaderTimeout))
	f.Severity = sev
	k.policyFinding(ps, i, scope, f)
}
