// Package pathview draws a stream's path as a page people look at rather
// than read: `check-plan`, `check-chain` and `lint DIR` with --report, and
// `prove --report`. Each path is drawn hop by hop (client, Front Door, App
// Gateway, App Gateway for Containers, API Management, your Load Balancer
// rule, Container Apps, App Service, the Azure OpenAI content filter, the
// backend); each hop carries its clocks as bars against the stream's
// longest silence and its heartbeat; the API Management hop shows the
// policies its request path composes, with the elements the findings are
// about; each finding sits at its hop with its rule and fix. The APIs that
// stream come first, those that do not are listed apart.
//
// The findings are package report's, as the text, JSON, SARIF and
// markdown writers have them; the clocks are chaincheck.Clocks. The page is
// htmlpage's skeleton (a CSP that loads nothing, no script), its SVG drawn
// here in code, every text escaped.
//
//   - model.go (this file): the page, its paths and hops, and how findings
//     are placed at their hops and policies.
//   - from.go: paths from a chain (check-chain), a plan (check-plan) and an
//     APIOps tree (lint DIR).
//   - svg.go: the path strip and the clock bars.
//   - page.go: the page of paths.
//   - prove.go: prove's page: each event at each hop over time.
package pathview

import (
	"slices"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Page is one page of paths.
type Page struct {
	// Title heads the page ("sseready check-plan: plan.json").
	Title string
	Paths []Path
	// Loose are findings on no path (a fragment no request path includes),
	// Problems inputs that could not be read, Notes what was left out.
	Loose    []report.Finding
	Problems []report.Problem
	Notes    []string
}

// Path is one request path.
type Path struct {
	// Name is the path's label; API the API it belongs to.
	Name, API string
	// Streaming is yes, no or unknown ("" when no verdict applies), and
	// StreamingEvidence why.
	Streaming         string
	StreamingEvidence []string
	// Hops are the hops, client first, backend last.
	Hops   []Hop
	Stream Stream
	// Problems are the path's input errors; Unknown the settings not
	// known until apply; Notes what linking it assumed.
	Problems []report.Problem
	Unknown  []string
	Notes    []string
}

// Stream is what the clocks are judged against: the backend's longest
// silence without an event and its heartbeat (0: not given).
type Stream struct {
	MaxEventGap, Heartbeat, MaxTimeToHeaders time.Duration
	// Missing says why they are not given, and how to give them.
	Missing string
}

// Silence is the longest silence the clocks see (chaincheck's).
func (s Stream) Silence() time.Duration {
	return chaincheck.Backend{MaxEventGap: s.MaxEventGap, HeartbeatInterval: s.Heartbeat, MaxTimeToHeaders: s.MaxTimeToHeaders}.LongestSilence()
}

// Hop is one hop of a path.
type Hop struct {
	// Key is the hop (rules.Hop*, HopClient, rules.HopBackend).
	Key string
	// Resource is what puts the hop on the path: a resource address, a
	// setting, a file.
	Resource string
	Clocks   []chaincheck.HopClock
	// Policies are, on the API Management hop, the policies its request
	// path composes (the global first), then the fragments they include and
	// the diagnostics, each with the findings in it.
	Policies []Policy
	// Findings are the hop's findings in no policy.
	Findings []report.Finding
	// Mark, when set, is what the path strip says of the hop instead of
	// counting its findings (prove: "cut", "buffered"), MarkSeverity how
	// it colours it.
	Mark         string
	MarkSeverity rules.Severity
}

// Policy is one policy of the API Management hop.
type Policy struct {
	// Scope is global, workspace, product, api or operation; or
	// "fragment", "diagnostics".
	Scope    string
	Name     string
	Findings []report.Finding
}

// HopClient is the client's end of the path.
const HopClient = "client"

// hopNames name the hops for people.
var hopNames = map[string]string{
	HopClient:                        "Client",
	rules.HopFrontDoor:               "Front Door",
	rules.HopAppGateway:              "Application Gateway",
	rules.HopAppGatewayForContainers: "App Gateway for Containers",
	rules.HopAPIM:                    "API Management",
	rules.HopLoadBalancer:            "Load Balancer rule",
	rules.HopContainerApps:           "Container Apps",
	rules.HopAppService:              "App Service",
	rules.HopAzureOpenAI:             "Azure OpenAI content filter",
	rules.HopBackend:                 "Backend",
	"origin":                         "Backend (test origin)",
}

// HopName names a hop for people.
func HopName(key string) string {
	if n, ok := hopNames[key]; ok {
		return n
	}
	return key
}

// hopsOf lays out a chain's hops: the client, each hop the chain has, in
// the order a request meets them, the content filter in front of the
// model, and the backend.
func hopsOf(c *chaincheck.Chain) []Hop {
	hops := []Hop{{Key: HopClient}}
	if c != nil {
		for _, h := range []struct {
			key string
			on  bool
		}{
			{rules.HopFrontDoor, c.FrontDoor != nil},
			{rules.HopAppGateway, c.AppGateway != nil},
			{rules.HopAppGatewayForContainers, c.AppGatewayForContainers != nil},
			{rules.HopAPIM, c.APIM != nil},
			{rules.HopLoadBalancer, c.LoadBalancer != nil},
			{rules.HopContainerApps, c.ContainerApps != nil},
			{rules.HopAppService, c.AppService != nil},
			{rules.HopAzureOpenAI, c.AzureOpenAI != nil},
		} {
			if h.on {
				hops = append(hops, Hop{Key: h.key})
			}
		}
		for _, hc := range chaincheck.Clocks(*c) {
			if i := slices.IndexFunc(hops, func(h Hop) bool { return h.Key == hc.Hop }); i >= 0 {
				hops[i].Clocks = append(hops[i].Clocks, hc)
			}
		}
	}
	return append(hops, Hop{Key: rules.HopBackend})
}

// place puts each finding at its hop and, on the API Management hop, in
// the policy policyOf names (ok false: in none); a fragment's or the
// diagnostics' row is added when a finding first names it. A finding
// about a hop not drawn goes where its clock is: Azure Load Balancer's
// idle cut inside API Management to that hop; anything else to the
// backend.
func (p *Path) place(fs []report.Finding, policyOf func(report.Finding) (scope, name string, ok bool)) {
	for _, f := range fs {
		h := &p.Hops[p.hopIndex(f.Hop)]
		if h.Key == rules.HopAPIM && policyOf != nil {
			if scope, name, ok := policyOf(f); ok {
				j := slices.IndexFunc(h.Policies, func(pol Policy) bool { return pol.Scope == scope && pol.Name == name })
				if j < 0 {
					j = len(h.Policies)
					h.Policies = append(h.Policies, Policy{Scope: scope, Name: name})
				}
				h.Policies[j].Findings = append(h.Policies[j].Findings, f)
				continue
			}
		}
		h.Findings = append(h.Findings, f)
	}
}

func (p *Path) hopIndex(hop string) int {
	find := func(k string) int { return slices.IndexFunc(p.Hops, func(h Hop) bool { return h.Key == k }) }
	if hop == "" {
		hop = rules.HopAPIM // a policy's finding
	}
	if i := find(hop); i >= 0 {
		return i
	}
	if hop == rules.HopLoadBalancer {
		if i := find(rules.HopAPIM); i >= 0 {
			return i
		}
	}
	return len(p.Hops) - 1
}

// Findings are every finding of the path, hop by hop.
func (p Path) Findings() []report.Finding {
	var out []report.Finding
	for _, h := range p.Hops {
		for _, pol := range h.Policies {
			out = append(out, pol.Findings...)
		}
		out = append(out, h.Findings...)
	}
	return out
}

// Ready reports whether no finding is an error and every input was read.
func (p Path) Ready() bool {
	if len(p.Problems) > 0 {
		return false
	}
	for _, f := range p.Findings() {
		if f.Severity == rules.Error {
			return false
		}
	}
	return true
}

// Worst is the worst severity among the hop's findings ("" for none).
func (h Hop) Worst() rules.Severity {
	var fs []report.Finding
	for _, pol := range h.Policies {
		fs = append(fs, pol.Findings...)
	}
	return worst(append(fs, h.Findings...))
}

func worst(fs []report.Finding) rules.Severity {
	rank := map[rules.Severity]int{rules.Error: 4, rules.Warning: 3, rules.Info: 2, rules.Accepted: 1}
	var w rules.Severity
	for _, f := range fs {
		if rank[f.Severity] > rank[w] {
			w = f.Severity
		}
	}
	return w
}

// streamingRank orders paths: the APIs that stream, those that may, those
// with no verdict; those that do not stream are listed apart.
func streamingRank(v string) int {
	switch v {
	case "yes":
		return 0
	case "unknown":
		return 1
	}
	return 2
}

// Split orders the page's paths, the APIs that stream first, and sets
// apart those whose API does not stream.
func (pg Page) Split() (first, apart []Path) {
	for _, p := range pg.Paths {
		if p.Streaming == "no" {
			apart = append(apart, p)
		} else {
			first = append(first, p)
		}
	}
	slices.SortStableFunc(first, func(a, b Path) int { return streamingRank(a.Streaming) - streamingRank(b.Streaming) })
	return first, apart
}
