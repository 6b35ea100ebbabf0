package apiops

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// Finding is a finding of the tree.
type Finding struct {
	rules.Finding
	// File holds what the finding is about: a policy file, the
	// fragment's file when Fragment is set, or a diagnostic's file.
	File string
	// Paths are the request paths the finding holds on, such as
	// "product starter > api chat > operation stream"; none for a file
	// that stands on no API's path and was checked on its own. Found on
	// several paths, the finding has the worst severity it has on any of
	// them, and lists the paths where it has that severity: a path where
	// it is milder (code that never runs there, a branch only
	// non-streaming requests take, an API that does not stream) is not
	// listed with it.
	Paths []string
}

// RequestPath is a request path that was checked, and whether its API
// streams.
type RequestPath struct {
	// Name is the path as findings name it ("product starter > api chat >
	// operation listModels").
	Name string
	// Workspace is the workspace's name ("" at the service's root); API is
	// the API's folder ("chat;rev=2"); Operation is the operation ("" on
	// the API's own path: it has no operations).
	Workspace, API, Operation string
	// Streams is the API's verdict and its evidence (CheckStreams; the
	// zero Decision in a report of Check).
	Streams streamapi.Decision
	// Policies are the policies the path composes, the global first: each
	// scope and the file that holds it (a finding's File names one).
	Policies []PathPolicy
}

// PathPolicy is one policy of a request path: its scope and its file.
type PathPolicy struct {
	Scope apimcheck.Scope
	File  string
}

// APIStreams is the verdict on one API (CheckStreams).
type APIStreams struct {
	// Name is the API as its paths name it ("api chat",
	// "workspace team > api llm").
	Name string
	// Workspace and API (its folder) say which API it is.
	Workspace, API string
	streamapi.Decision
}

// Report is the check of a tree.
type Report struct {
	// Findings are sorted by file, line and column; a finding found on
	// several paths is reported once (see Finding.Paths).
	Findings []Finding
	// Paths counts the request paths checked.
	Paths int
	// RequestPaths are the request paths checked, in the order checked.
	RequestPaths []RequestPath
	// APIs are the verdicts on the tree's APIs, each once (CheckStreams).
	APIs []APIStreams
	// Notes say what was deliberately not checked, and why.
	Notes []string
}

// Ready reports whether no finding is an error.
func (r Report) Ready() bool {
	for _, f := range r.Findings {
		if f.Severity == rules.Error {
			return false
		}
	}
	return true
}

// Check checks every request path of the tree as APIM runs it, and every
// policy file on no path on its own, holding every API to the streaming
// rules (as sseready did before it told the APIs that stream from the
// others: see CheckStreams). base gives what the caller decides (accepted
// rules); the scope comes from each file's place, the fragments from the
// tree.
func (t *Tree) Check(base apimcheck.Options) Report {
	return t.check(base, nil)
}

// CheckStreams is Check with each API's findings following whether it
// streams (package streamapi): the verdict is taken once per API from its
// apiInformation.json (path, service URL, type), its specification
// (operations, URL templates, response media types), the backends its
// policies set, what its own policies and the fragments they include say
// (LLM policies, a forward-request that streams, a read of the stream
// flag), the marker comment at the top of its policy and the user's
// options. Each finding of a path is adjusted by its API's verdict before
// the paths are merged, so a finding in a shared file is an error when it
// is one on some streaming path.
//
// The global, workspace and product policies are shared by many APIs:
// what they hold says how the gateway treats streams, not that an API
// streams, so their signals are not evidence (a streaming forward-request
// in the global policy would otherwise make every API stream).
func (t *Tree) CheckStreams(base apimcheck.Options, opts streamapi.Options) Report {
	return t.check(base, &opts)
}

func (t *Tree) check(base apimcheck.Options, streams *streamapi.Options) Report {
	c := &treeCheck{byKey: map[string]int{}, onPath: map[string]bool{}, base: base, streams: streams}
	levels := []*level{c.newLevel(t, nil)}
	for _, w := range t.Workspaces {
		levels = append(levels, c.newLevel(w, t))
	}
	// Every path first, then what no path holds: a workspace's path may
	// include a fragment of the service's root.
	for _, lv := range levels {
		for _, a := range lv.tree.APIs {
			c.api(lv, a)
		}
	}
	for _, lv := range levels {
		c.alone(lv)
	}
	if streams != nil {
		for _, n := range streams.Named {
			if !c.named[n] {
				c.report.Notes = append(c.report.Notes, fmt.Sprintf("--stream-api %s names no API of the tree (by name, folder, display name or path)", n))
			}
		}
	}
	c.report.Notes = append(c.report.Notes, t.Notes...)
	sort.SliceStable(c.report.Findings, func(i, j int) bool {
		a, b := c.report.Findings[i], c.report.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
	return c.report
}

type treeCheck struct {
	report Report
	// byKey finds a finding already reported, by what it is about.
	byKey map[string]int
	// onPath marks the files checked as part of a path.
	onPath map[string]bool
	base   apimcheck.Options
	// streams are the user's options for CheckStreams (nil for Check).
	streams *streamapi.Options
	// named marks the --stream-api names that named an API.
	named map[string]bool
}

// level is what one level of the tree gives its paths: the fragments,
// the policies and diagnostics above its APIs, the backends.
type level struct {
	tree        *Tree
	fragments   map[string]*Policy
	above       []*Policy
	diagnostics []*Diagnostic
	backends    map[string]*Backend
	opts        apimcheck.Options
	// where prefixes the level's paths ("workspace team > ").
	where string
}

// newLevel gathers what a level's paths stand on; parent is the service's
// root for a workspace.
func (c *treeCheck) newLevel(t, parent *Tree) *level {
	lv := &level{tree: t, fragments: map[string]*Policy{}, backends: map[string]*Backend{}}
	if parent != nil {
		maps.Copy(lv.fragments, parent.Fragments)
		maps.Copy(lv.backends, parent.Backends)
		lv.above = append(lv.above, parent.Policy)
		lv.diagnostics = append(lv.diagnostics, parent.Diagnostics...)
	}
	maps.Copy(lv.fragments, t.Fragments)
	maps.Copy(lv.backends, t.Backends)
	lv.above = append(lv.above, t.Policy)
	lv.diagnostics = append(lv.diagnostics, t.Diagnostics...)
	docs := map[string]*apimpolicy.Document{}
	for id, p := range lv.fragments {
		docs[id] = p.Doc
	}
	lv.opts = c.base
	lv.opts.Fragments = docs
	if t.Workspace != "" {
		lv.where = "workspace " + t.Workspace + " > "
	}
	return lv
}

// composed is the policy one or more request paths run, composed, and
// what the check found in it (placed in the files that hold it).
type composed struct {
	scoped   []apimcheck.ScopedPolicy
	comp     apimcheck.Composition
	err      error
	findings []Finding
}

// apiPath is one request path of an API.
type apiPath struct {
	name, operation string
	c               *composed
}

// api checks the request paths of one API: once per product it is in,
// once per operation (those with a policy, and those its specification
// declares without one, which run the API's policy), or its own path when
// no operation is known.
func (c *treeCheck) api(lv *level, a *API) {
	var products []*Product
	for _, p := range lv.tree.Products {
		// A product holds an API, all its revisions: a name it lists with
		// a revision ("chat;rev=2") is the API's.
		if slices.ContainsFunc(p.APIs, func(n string) bool {
			n, _, _ = strings.Cut(n, ";rev=")
			return strings.EqualFold(n, a.Name)
		}) {
			products = append(products, p)
		}
	}
	if len(products) == 0 {
		products = []*Product{nil}
	}
	type op struct {
		name   string
		policy *Policy
	}
	var ops []op
	for _, o := range a.Operations {
		ops = append(ops, op{o.Name, o.Policy})
	}
	for _, d := range a.Unpoliced() {
		ops = append(ops, op{name: d.Name()})
	}
	if len(ops) == 0 {
		ops = []op{{}}
	}
	apiName := lv.where + "api " + a.Folder
	var paths []apiPath
	// The operations without a policy of their own run the same policy:
	// composed and checked once per product.
	shared := map[*Product]*composed{}
	for _, p := range products {
		for _, o := range ops {
			name := lv.where
			if p != nil {
				name += "product " + p.Name + " > "
			}
			name += "api " + a.Folder
			if o.name != "" {
				name += " > operation " + o.name
			}
			cp := shared[p]
			if o.policy != nil || cp == nil {
				chain := slices.Clone(lv.above)
				if p != nil {
					chain = append(chain, p.Policy)
				}
				chain = append(chain, a.Policy, o.policy)
				cp = c.compose(chain, lv)
				if o.policy == nil {
					shared[p] = cp
				}
			}
			if cp == nil {
				continue // no policy at all on the path
			}
			paths = append(paths, apiPath{name: name, operation: o.name, c: cp})
		}
	}

	var dec *streamapi.Decision
	if c.streams != nil {
		d := c.decide(lv, a, paths)
		dec = &d
		c.report.APIs = append(c.report.APIs, APIStreams{Name: apiName, Workspace: lv.tree.Workspace, API: a.Folder, Decision: d})
	}
	adjust := func(f Finding) Finding {
		if dec != nil {
			f.Finding = dec.Adjust(f.Finding)
		}
		return f
	}
	var names []string
	for _, p := range paths {
		c.report.Paths++
		rp := RequestPath{Name: p.name, Workspace: lv.tree.Workspace, API: a.Folder, Operation: p.operation}
		for _, sp := range p.c.scoped {
			rp.Policies = append(rp.Policies, PathPolicy{Scope: sp.Scope, File: sp.Name})
		}
		if dec != nil {
			rp.Streams = *dec
		}
		c.report.RequestPaths = append(c.report.RequestPaths, rp)
		names = append(names, p.name)
		if p.c.err != nil {
			c.report.Notes = append(c.report.Notes, fmt.Sprintf("%s: not checked: %v", p.name, p.c.err))
			continue
		}
		for _, f := range p.c.findings {
			c.add(adjust(f), p.name)
		}
	}

	// The diagnostics in force for the API hold on each of its paths.
	if len(names) == 0 {
		names = []string{apiName}
	}
	all := append(slices.Clone(lv.diagnostics), a.Diagnostics...)
	for _, d := range all {
		if !apimdiag.AppliesToAPI(d.Diagnostic, diagsOf(all)) {
			continue
		}
		for _, f := range c.diagnosticFindings(d) {
			f = adjust(f)
			for _, n := range names {
				c.add(f, n)
			}
		}
	}
}

// diagnosticFindings are a diagnostic's findings, one per logging block,
// each at the key that sets it in the diagnostic's file
// (properties.frontend.response.body.bytes).
func (c *treeCheck) diagnosticFindings(d *Diagnostic) []Finding {
	var out []Finding
	for _, bf := range apimdiag.CheckBlocks(d.Diagnostic, apimdiag.ARMNaming) {
		f := bf.Finding
		f.Element = "diagnostic " + d.Identifier
		f.Attribute = apimdiag.ARMNaming(bf.Block)
		for _, prefix := range []string{"properties.", ""} {
			if p, ok := d.Keys[prefix+f.Attribute]; ok {
				f.Line, f.Column = p.Line, p.Column
				break
			}
		}
		out = append(out, Finding{Finding: f, File: d.File})
	}
	return out
}

// compose composes the policies along a path and checks the result; nil
// when the path has no policy at all.
func (c *treeCheck) compose(chain []*Policy, lv *level) *composed {
	cp := &composed{}
	for _, p := range chain {
		if p != nil {
			cp.scoped = append(cp.scoped, apimcheck.ScopedPolicy{Scope: p.Scope, Doc: p.Doc, Name: p.File})
			c.onPath[p.File] = true
		}
	}
	if len(cp.scoped) == 0 {
		return nil
	}
	cp.comp, cp.err = apimcheck.Compose(cp.scoped)
	if cp.err != nil {
		return cp
	}
	c.markIncluded(cp.comp.Doc, lv.fragments)
	for _, sf := range apimcheck.CheckComposition(&cp.comp, lv.opts) {
		if sf.Source == nil {
			if f, ok := fromDefault(sf, cp.scoped[0]); ok {
				cp.findings = append(cp.findings, f)
			}
			continue
		}
		cp.findings = append(cp.findings, c.placed(sf.Finding, sf.Source.Name, lv.fragments))
	}
	return cp
}

// alone checks what stands on no path of a level, at its scope: a global
// or product policy no API's path runs, and the fragments no path
// includes. A fragment no path includes runs nowhere: its findings are
// info, each saying so, and a note names it.
func (c *treeCheck) alone(lv *level) {
	t := lv.tree
	alone := []*Policy{t.Policy}
	for _, p := range t.Products {
		alone = append(alone, p.Policy)
	}
	for _, id := range slices.Sorted(maps.Keys(t.Fragments)) {
		alone = append(alone, t.Fragments[id])
	}
	for _, p := range alone {
		if p == nil || c.onPath[p.File] {
			continue
		}
		scope := p.Scope
		if scope == "" {
			scope = apimcheck.API // a fragment: the scope decides nothing in it
			c.report.Notes = append(c.report.Notes, fmt.Sprintf("%s: no request path includes this fragment: checked on its own, its findings reported as info", p.File))
		}
		o := lv.opts
		o.Scope = scope
		for _, f := range apimcheck.Check(p.Doc, o).Findings {
			pf := c.placed(f, p.File, lv.fragments)
			if p.Scope == "" {
				pf.Finding = unused(pf.Finding)
			}
			c.add(pf, "")
		}
	}
}

// unused is a finding of a fragment no request path includes: what it
// says holds where the fragment is included, and it is included nowhere.
func unused(f rules.Finding) rules.Finding {
	if f.Severity == rules.Error || f.Severity == rules.Warning {
		f.Severity = rules.Info
	}
	f.Message += " (no request path includes this fragment: this holds where it is included)"
	return f
}

func diagsOf(ds []*Diagnostic) []apimdiag.Diagnostic {
	out := make([]apimdiag.Diagnostic, len(ds))
	for i, d := range ds {
		out[i] = d.Diagnostic
	}
	return out
}

// markIncluded marks the fragments a path includes (and those they
// include) as checked on it, so they are not checked again on their own.
func (c *treeCheck) markIncluded(doc *apimpolicy.Document, fragments map[string]*Policy) {
	for _, id := range includedIDs([]*apimpolicy.Document{doc}, fragments) {
		c.onPath[fragments[id].File] = true
	}
}

// includedIDs are the known fragments docs include, directly or through
// other fragments.
func includedIDs(docs []*apimpolicy.Document, fragments map[string]*Policy) []string {
	ids, _ := apimpolicy.IncludedIDs(docs, func(id string) *apimpolicy.Document {
		if p, ok := fragments[id]; ok {
			return p.Doc
		}
		return nil
	})
	return ids
}

// placed names the file a finding's line and column are in: the policy's,
// or the fragment's when the finding is inside one.
func (c *treeCheck) placed(f rules.Finding, file string, fragments map[string]*Policy) Finding {
	if f.Fragment != "" {
		if p, ok := fragments[f.Fragment]; ok {
			file = p.File
			c.onPath[p.File] = true
		}
	}
	return Finding{Finding: f, File: file}
}

// fromDefault turns what the check says of APIM's global default (the
// composition stands on it when the tree has no global policy.xml) into
// the finding on the <base /> that inherits it (apimcheck.DefaultFinding).
func fromDefault(sf apimcheck.SourcedFinding, top apimcheck.ScopedPolicy) (Finding, bool) {
	f, ok := apimcheck.DefaultFinding(sf, top, "the tree has no global "+policyFile)
	return Finding{Finding: f, File: top.Name}, ok
}

var severityRank = map[rules.Severity]int{rules.Accepted: 0, rules.Info: 1, rules.Warning: 2, rules.Error: 3}

// add reports f on path, once per file, place and rule. Found again on
// another path, the worse severity wins: the finding takes that path's
// message and lists only the paths where it is that severe.
func (c *treeCheck) add(f Finding, path string) {
	key := strings.Join([]string{f.File, f.Fragment, fmt.Sprint(f.Line), fmt.Sprint(f.Column), f.Rule}, "\x00")
	i, seen := c.byKey[key]
	if !seen {
		c.byKey[key] = len(c.report.Findings)
		if path != "" {
			f.Paths = []string{path}
		}
		c.report.Findings = append(c.report.Findings, f)
		return
	}
	old := &c.report.Findings[i]
	switch rank, was := severityRank[f.Severity], severityRank[old.Severity]; {
	case rank > was:
		old.Finding = f.Finding
		old.Paths = nil
		if path != "" {
			old.Paths = []string{path}
		}
	case rank == was && path != "" && !slices.Contains(old.Paths, path):
		old.Paths = append(old.Paths, path)
	}
}
