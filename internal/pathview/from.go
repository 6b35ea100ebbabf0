package pathview

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apiops"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/tfplan"
)

// Scopes of the rows of the API Management hop that are no scope.
const (
	ScopeFragment    = "fragment"
	ScopeDiagnostics = "diagnostics"
)

// scopeOrder orders the composed policies as APIM runs them.
var scopeOrder = map[apimcheck.Scope]int{apimcheck.Global: 0, apimcheck.Workspace: 1, apimcheck.Product: 2, apimcheck.API: 3, apimcheck.Operation: 4}

// FromChain is the path of a chain (check-chain): its hops, its clocks,
// the backend's stream, the policies by their settings, and the findings
// (package report's, with their Setting) at their hops.
func FromChain(name string, c *chaincheck.Chain, findings []report.Finding) Path {
	p := Path{Name: name, Hops: hopsOf(c)}
	if c == nil {
		return p
	}
	p.Stream = streamOf(c.Backend, "the chain's backend gives no max_event_gap")
	for i := range p.Hops {
		if k := p.Hops[i].Key; k != HopClient {
			p.Hops[i].Resource = k
		}
	}
	p.chainPolicies(c)
	p.place(findings, bySetting(c))
	return p
}

// FromPlanPath is a path of a plan (check-plan): the chain tfplan checked
// it as, each hop's resource, and the findings and input errors as
// check-plan places them on resource attributes. missing says how to give
// the stream's timings when the plan's options did not.
func FromPlanPath(tp tfplan.Path, findings []report.Finding, problems []report.Problem, missing string) Path {
	p := Path{Name: tp.Label, API: tp.API, Streaming: string(tp.Streaming), StreamingEvidence: tp.StreamingEvidence,
		Hops: hopsOf(tp.Chain), Problems: problems, Notes: tp.Notes}
	for _, u := range tp.Unknown {
		p.Unknown = append(p.Unknown, u.String())
	}
	for i := range p.Hops {
		p.Hops[i].Resource = tp.HopAddresses[p.Hops[i].Key]
	}
	if tp.Chain != nil {
		p.Stream = streamOf(tp.Chain.Backend, missing)
		p.chainPolicies(tp.Chain)
	} else {
		p.Stream.Missing = "the path's chain could not be read: see its input errors"
	}
	p.place(findings, bySetting(tp.Chain))
	return p
}

func streamOf(b chaincheck.Backend, missing string) Stream {
	s := Stream{MaxEventGap: b.MaxEventGap, Heartbeat: b.HeartbeatInterval, MaxTimeToHeaders: b.MaxTimeToHeaders}
	if b.MaxEventGap == 0 {
		s.Missing = missing
	}
	return s
}

// chainPolicies lays out the chain's policies on the API Management hop,
// in the order APIM composes them.
func (p *Path) chainPolicies(c *chaincheck.Chain) {
	i := slices.IndexFunc(p.Hops, func(h Hop) bool { return h.Key == rules.HopAPIM })
	if i < 0 || c.APIM == nil {
		return
	}
	idx := make([]int, len(c.APIM.Policies))
	for j := range idx {
		idx[j] = j
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return scopeOrder[scopeOf(c.APIM.Policies[a].Scope)] - scopeOrder[scopeOf(c.APIM.Policies[b].Scope)]
	})
	for _, j := range idx {
		p.Hops[i].Policies = append(p.Hops[i].Policies, Policy{Scope: string(scopeOf(c.APIM.Policies[j].Scope)), Name: policyName(c, j)})
	}
}

func scopeOf(s apimcheck.Scope) apimcheck.Scope {
	if s == "" {
		return apimcheck.API
	}
	return s
}

func policyName(c *chaincheck.Chain, i int) string {
	if n := c.APIM.Policies[i].Name; n != "" {
		return n
	}
	return chaincheck.PolicySetting(i)
}

// bySetting finds a chain finding's policy by its setting: a policy's
// document, an included fragment, a diagnostic.
func bySetting(c *chaincheck.Chain) func(report.Finding) (string, string, bool) {
	return func(f report.Finding) (string, string, bool) {
		s := f.Setting
		switch {
		case f.Fragment != "":
			return ScopeFragment, f.Fragment, true
		case strings.HasPrefix(s, chaincheck.SettingAPIMFragments+"."):
			return ScopeFragment, strings.TrimPrefix(s, chaincheck.SettingAPIMFragments+"."), true
		case strings.HasPrefix(s, "apim.diagnostics"):
			return ScopeDiagnostics, "diagnostics", true
		}
		if c == nil || c.APIM == nil {
			return "", "", false
		}
		for i, pol := range c.APIM.Policies {
			if ps := chaincheck.PolicySetting(i); s == ps || strings.HasPrefix(s, ps+".") {
				return string(scopeOf(pol.Scope)), policyName(c, i), true
			}
		}
		return "", "", false
	}
}

// FromTree is the paths of an APIOps tree (lint DIR): each request path
// through API Management, its composed policies by file, with lint's
// findings (package report's, with their paths) on the paths they hold
// on. A finding on no request path is loose (a fragment no path
// includes). lint knows nothing of the stream's timing or of the hops in
// front: the API Management hop's own clock is drawn alone.
func FromTree(rep apiops.Report, findings []report.Finding) (paths []Path, loose []report.Finding) {
	used := make([]bool, len(findings))
	apim := &chaincheck.Chain{APIM: &chaincheck.APIM{}}
	for _, rp := range rep.RequestPaths {
		p := Path{Name: rp.Name, API: rp.API, Streaming: string(rp.Streams.Verdict), StreamingEvidence: rp.Streams.Evidence, Hops: hopsOf(apim)}
		p.Stream.Missing = "an APIOps tree does not say how long the stream stays silent: check-chain and check-plan take the backend's max_event_gap and heartbeat"
		api := slices.IndexFunc(p.Hops, func(h Hop) bool { return h.Key == rules.HopAPIM })
		p.Hops[api].Resource = strings.TrimSuffix(rp.Name, " > operation "+rp.Operation)
		for _, pp := range rp.Policies {
			p.Hops[api].Policies = append(p.Hops[api].Policies, Policy{Scope: string(pp.Scope), Name: pp.File})
		}
		apiName := "api " + rp.API
		if rp.Workspace != "" {
			apiName = "workspace " + rp.Workspace + " > " + apiName
		}
		var on []report.Finding
		for i, f := range findings {
			if slices.Contains(f.Paths, rp.Name) || slices.Contains(f.Paths, apiName) {
				on, used[i] = append(on, f), true
			}
		}
		p.place(on, func(f report.Finding) (string, string, bool) {
			switch {
			case f.Fragment != "":
				return ScopeFragment, f.Fragment, true
			case strings.HasPrefix(f.Element, "diagnostic "):
				return ScopeDiagnostics, f.File, true
			}
			for _, pp := range rp.Policies {
				if pp.File == f.File {
					return string(pp.Scope), pp.File, true
				}
			}
			return "", "", false
		})
		paths = append(paths, p)
	}
	for i, f := range findings {
		if !used[i] {
			loose = append(loose, f)
		}
	}
	return paths, loose
}

// Summary counts the page's findings for its heading.
func (pg Page) Summary() string {
	errs, warns, ready := 0, 0, 0
	for _, p := range pg.Paths {
		for _, f := range p.Findings() {
			switch f.Severity {
			case rules.Error:
				errs++
			case rules.Warning:
				warns++
			}
		}
		if p.Ready() {
			ready++
		}
	}
	return fmt.Sprintf("%d %s, %d ready; %d %s, %d %s", len(pg.Paths), plural(len(pg.Paths), "path", "paths"), ready,
		errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
