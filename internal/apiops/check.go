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
)

// Finding is a finding of the tree.
type Finding struct {
	rules.Finding
	// File holds what the finding is about: a policy file, the
	// fragment's file when Fragment is set, or a diagnostic's file.
	File string
	// Paths are the request paths the finding was found on, such as
	// "product starter > api chat > operation stream"; none for a file
	// that stands on no API's path and was checked on its own.
	Paths []string
}

// Report is the check of a tree.
type Report struct {
	// Findings are sorted by file, line and column; a finding found on
	// several paths is reported once, with them all.
	Findings []Finding
	// Paths counts the request paths checked.
	Paths int
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
// policy file on no path on its own. base gives what the caller decides
// (accepted rules); the scope comes from each file's place, the fragments
// from the tree.
func (t *Tree) Check(base apimcheck.Options) Report {
	c := &treeCheck{byKey: map[string]int{}, onPath: map[string]bool{}, base: base}
	c.level(t, nil)
	for _, w := range t.Workspaces {
		c.level(w, t)
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
}

// level checks the paths of one level; parent is the service's root for
// a workspace.
func (c *treeCheck) level(t, parent *Tree) {
	fragments := map[string]*Policy{}
	var above []*Policy
	var diags []*Diagnostic
	if parent != nil {
		maps.Copy(fragments, parent.Fragments)
		above = append(above, parent.Policy)
		diags = append(diags, parent.Diagnostics...)
	}
	maps.Copy(fragments, t.Fragments)
	above = append(above, t.Policy)
	diags = append(diags, t.Diagnostics...)
	docs := map[string]*apimpolicy.Document{}
	for id, p := range fragments {
		docs[id] = p.Doc
	}
	opts := c.base
	opts.Fragments = docs
	where := ""
	if t.Workspace != "" {
		where = "workspace " + t.Workspace + " > "
	}
	for _, a := range t.APIs {
		var products []*Product
		for _, p := range t.Products {
			if slices.Contains(p.APIs, a.Name) {
				products = append(products, p)
			}
		}
		if len(products) == 0 {
			products = []*Product{nil}
		}
		ops := a.Operations
		if len(ops) == 0 {
			ops = []*Operation{nil}
		}
		for _, p := range products {
			for _, op := range ops {
				chain := slices.Clone(above)
				path := where
				if p != nil {
					chain = append(chain, p.Policy)
					path += "product " + p.Name + " > "
				}
				chain = append(chain, a.Policy)
				path += "api " + a.Folder
				if op != nil {
					chain = append(chain, op.Policy)
					path += " > operation " + op.Name
				}
				c.path(chain, path, opts, fragments)
			}
		}
		all := append(slices.Clone(diags), a.Diagnostics...)
		for _, d := range all {
			if !apimdiag.AppliesToAPI(d.Diagnostic, diagsOf(all)) {
				continue
			}
			for _, f := range apimdiag.Check(d.Diagnostic) {
				f.Element = "diagnostic " + d.Identifier
				c.add(Finding{Finding: f, File: d.File}, where+"api "+a.Folder)
			}
		}
	}
	// What stands on no path is checked on its own, at its scope.
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
		}
		o := opts
		o.Scope = scope
		for _, f := range apimcheck.Check(p.Doc, o).Findings {
			c.add(c.placed(f, p.File, fragments), "")
		}
	}
}

func diagsOf(ds []*Diagnostic) []apimdiag.Diagnostic {
	out := make([]apimdiag.Diagnostic, len(ds))
	for i, d := range ds {
		out[i] = d.Diagnostic
	}
	return out
}

// path checks one request path: the policies given along it, composed.
func (c *treeCheck) path(chain []*Policy, path string, opts apimcheck.Options, fragments map[string]*Policy) {
	var scoped []apimcheck.ScopedPolicy
	for _, p := range chain {
		if p != nil {
			scoped = append(scoped, apimcheck.ScopedPolicy{Scope: p.Scope, Doc: p.Doc, Name: p.File})
			c.onPath[p.File] = true
		}
	}
	if len(scoped) == 0 {
		return
	}
	c.report.Paths++
	comp, err := apimcheck.Compose(scoped)
	if err != nil {
		c.report.Notes = append(c.report.Notes, fmt.Sprintf("%s: not checked: %v", path, err))
		return
	}
	c.markIncluded(comp.Doc, fragments)
	for _, sf := range apimcheck.CheckComposition(&comp, opts) {
		if sf.Source == nil {
			c.fromDefault(sf, scoped[0], path)
			continue
		}
		c.add(c.placed(sf.Finding, sf.Source.Name, fragments), path)
	}
}

// markIncluded marks the fragments a path includes (and those they
// include) as checked on it, so they are not checked again on their own.
func (c *treeCheck) markIncluded(doc *apimpolicy.Document, fragments map[string]*Policy) {
	ids, _ := apimpolicy.IncludedIDs([]*apimpolicy.Document{doc}, func(id string) *apimpolicy.Document {
		if p, ok := fragments[id]; ok {
			return p.Doc
		}
		return nil
	})
	for _, id := range ids {
		c.onPath[fragments[id].File] = true
	}
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
// the finding on the <base /> that inherits it: its forward-request
// buffers. The default's other findings (its timeout) are left out: no
// file holds them.
func (c *treeCheck) fromDefault(sf apimcheck.SourcedFinding, top apimcheck.ScopedPolicy, path string) {
	if sf.Rule != rules.ForwardRequestBuffers {
		return
	}
	base := firstBackendBase(top.Doc)
	if base == nil {
		return
	}
	f := rules.MustLookup(rules.BackendInheritsBuffering).Finding(base.Pos.Line, base.Pos.Column, "base",
		"<base /> here inherits APIM's global default <forward-request/> (the tree has no global %s), which buffers (buffer-response defaults to true): forward the request with buffer-response=\"false\" here or in a policy above", policyFile)
	c.add(Finding{Finding: f, File: top.Name}, path)
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

var severityRank = map[rules.Severity]int{rules.Accepted: 0, rules.Info: 1, rules.Warning: 2, rules.Error: 3}

// add reports f on path, once per file, place and rule: found again on
// another path, the path is added, and the worse severity kept.
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
	if path != "" && !slices.Contains(old.Paths, path) {
		old.Paths = append(old.Paths, path)
	}
	if severityRank[f.Severity] > severityRank[old.Severity] {
		old.Finding = f.Finding
	}
}
