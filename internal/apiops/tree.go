// Package apiops reads an API Management configuration kept as the APIOps
// extractor writes it (FACTS.md, "APIOps layout"), and checks every
// request path in it as APIM runs it: the global, workspace, product, API
// and operation policies composed, include-fragment resolved against the
// tree's fragments, the tree's diagnostics with them. A finding names the
// file, line and column that hold what it is about, and the paths it was
// found on.
package apiops

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/openapi"
)

// Names of the tree's folders and files (FACTS.md, "APIOps layout").
const (
	policyFile     = "policy.xml"
	productsDir    = "products"
	apisDir        = "apis"
	operationsDir  = "operations"
	fragmentsDir   = "policy fragments"
	workspacesDir  = "workspaces"
	diagnosticsDir = "diagnostics"
	diagnosticFile = "diagnosticInformation.json"
)

// Tree is one level of an APIOps tree: the service's root, or a
// workspace's folder, which holds the same layout.
type Tree struct {
	// Dir is the folder, as given.
	Dir string
	// Policy is the level's own policy: the global (All APIs) one at the
	// root, the workspace's in a workspace.
	Policy      *Policy
	Products    []*Product
	APIs        []*API
	Fragments   map[string]*Policy
	Diagnostics []*Diagnostic
	// Backends are the level's backend entities, by name.
	Backends   map[string]*Backend
	Workspaces []*Tree
	// Workspace is the workspace's name ("" at the root).
	Workspace string
	// Notes say what was read and deliberately not checked, with why.
	Notes []string
}

// Policy is a policy file of the tree.
type Policy struct {
	// File is the path as it is reported: under the directory given.
	File  string
	Scope apimcheck.Scope
	Doc   *apimpolicy.Document
}

// Product is a product's policy and the APIs it holds.
type Product struct {
	Name   string
	Policy *Policy
	// APIs are the names of the APIs in the product: the folders under
	// products/<p>/apis/ (each with its productApiInformation.json), and
	// the names listed in products/<p>/apis.json, which older extractors
	// wrote instead.
	APIs []string
}

// API is an API (or one revision of it) with its operations' policies.
type API struct {
	// Name is the API's name, Folder its folder ("chat;rev=2" for a
	// revision of chat).
	Name, Folder string
	Policy       *Policy
	// Operations are the operations that have a policy
	// (operations/<op>/policy.xml).
	Operations  []*Operation
	Diagnostics []*Diagnostic
	// Info is the API's apiInformation.json (nil when the folder has
	// none, or it cannot be read), InfoFile its path.
	Info     *APIInformation
	InfoFile string
	// Spec is the API's OpenAPI definition (nil when the folder has none,
	// or it cannot be read: a LoadError says so), SpecFile its path.
	Spec     *openapi.Spec
	SpecFile string
}

// Operation is an operation's policy.
type Operation struct {
	// Name is the operation's folder: the operation's name in APIM, which
	// the extractor's specification carries as the operation's
	// operationId.
	Name   string
	Policy *Policy
	// Declared is the operation the API's specification declares under
	// that name (nil when it declares none).
	Declared *openapi.Operation
}

// Unpoliced are the operations the API's specification declares that
// have no policy of their own: each runs the API's policy, a request path
// of its own. None when the API has no specification.
func (a *API) Unpoliced() []openapi.Operation {
	if a.Spec == nil {
		return nil
	}
	var out []openapi.Operation
	for _, d := range a.Spec.Operations {
		if !slices.ContainsFunc(a.Operations, func(o *Operation) bool { return sameOperation(o.Name, d) }) {
			out = append(out, d)
		}
	}
	return out
}

// sameOperation reports whether the operation folder name is the declared
// operation: its operationId, as APIM names (case-insensitively) the
// operations it imports and exports; without one, its method and URL
// template.
func sameOperation(folder string, d openapi.Operation) bool {
	return strings.EqualFold(folder, d.Name())
}

// Diagnostic is a diagnostic of the tree, in ARM's shape.
type Diagnostic struct {
	File string
	apimdiag.Diagnostic
	// Keys place the keys of the diagnostic's JSON file by their dotted
	// path ("properties.frontend.response.body.bytes").
	Keys map[string]apimpolicy.Pos
}

// LoadError is a file of the tree that cannot be read or used. Its Err is
// an *apimpolicy.SyntaxError for a policy that does not parse, an
// *openapi.SyntaxError for a specification that cannot be read.
type LoadError struct {
	File string
	Err  error
}

func (e *LoadError) Error() string {
	var se *apimpolicy.SyntaxError
	if errors.As(e.Err, &se) {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, se.Pos.Line, se.Pos.Column, se.Msg)
	}
	var oe *openapi.SyntaxError
	if errors.As(e.Err, &oe) && oe.Line > 0 {
		if oe.Column > 0 {
			return fmt.Sprintf("%s:%d:%d: %s", e.File, oe.Line, oe.Column, oe.Msg)
		}
		return fmt.Sprintf("%s:%d: %s", e.File, oe.Line, oe.Msg)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// IsTree reports whether dir looks like an APIOps tree: it holds a
// policy.xml or one of the tree's folders.
func IsTree(dir string) bool {
	for _, name := range []string{policyFile, productsDir, apisDir, fragmentsDir, workspacesDir, diagnosticsDir} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// Load reads the tree at dir. What cannot be read or parsed is returned
// as *LoadError, each naming its file; the rest is loaded, so it can still
// be checked. A folder that is not an APIOps tree at all is an error.
func Load(dir string) (*Tree, []error) {
	if !IsTree(dir) {
		return nil, []error{&LoadError{File: dir, Err: fmt.Errorf("not an APIOps tree: it holds no %s, %s/, %s/, %s/, %s/ or %s/",
			policyFile, apisDir, productsDir, fragmentsDir, workspacesDir, diagnosticsDir)}}
	}
	l := &loader{}
	t := l.level(dir, "")
	t.Notes = l.notes
	return t, l.errs
}

type loader struct {
	errs  []error
	notes []string
}

func (l *loader) fail(file string, err error) {
	l.errs = append(l.errs, &LoadError{File: file, Err: err})
}

func (l *loader) level(dir, workspace string) *Tree {
	t := &Tree{Dir: dir, Workspace: workspace, Fragments: map[string]*Policy{}}
	own := apimcheck.Global
	if workspace != "" {
		own = apimcheck.Workspace
	}
	t.Policy = l.policy(filepath.Join(dir, policyFile), own)
	for _, name := range l.subdirs(filepath.Join(dir, fragmentsDir)) {
		if p := l.policy(filepath.Join(dir, fragmentsDir, name, policyFile), ""); p != nil {
			t.Fragments[name] = p
		}
	}
	for _, name := range l.subdirs(filepath.Join(dir, productsDir)) {
		pd := filepath.Join(dir, productsDir, name)
		apis := l.subdirs(filepath.Join(pd, apisDir))
		for _, a := range l.productAPIs(pd) {
			if !slices.Contains(apis, a) {
				apis = append(apis, a)
			}
		}
		t.Products = append(t.Products, &Product{Name: name, Policy: l.policy(filepath.Join(pd, policyFile), apimcheck.Product), APIs: apis})
	}
	for _, folder := range l.subdirs(filepath.Join(dir, apisDir)) {
		t.APIs = append(t.APIs, l.api(filepath.Join(dir, apisDir, folder), folder))
	}
	t.Diagnostics = l.diagnostics(dir, true)
	t.Backends = l.backends(dir)
	if workspace == "" {
		for _, name := range l.subdirs(filepath.Join(dir, workspacesDir)) {
			t.Workspaces = append(t.Workspaces, l.level(filepath.Join(dir, workspacesDir, name), name))
		}
	}
	return t
}

// api reads an API's folder: its policies, diagnostics, apiInformation.json
// and specification.
func (l *loader) api(ad, folder string) *API {
	name, _, _ := strings.Cut(folder, ";rev=")
	a := &API{Name: name, Folder: folder, Policy: l.policy(filepath.Join(ad, policyFile), apimcheck.API)}
	a.Info, a.InfoFile = l.readAPIInformation(ad)
	a.Spec, a.SpecFile = l.readSpec(ad)
	for _, op := range l.subdirs(filepath.Join(ad, operationsDir)) {
		p := l.policy(filepath.Join(ad, operationsDir, op, policyFile), apimcheck.Operation)
		if p == nil {
			continue
		}
		o := &Operation{Name: op, Policy: p}
		if a.Spec != nil {
			for i, d := range a.Spec.Operations {
				if sameOperation(op, d) {
					o.Declared = &a.Spec.Operations[i]
					break
				}
			}
		}
		a.Operations = append(a.Operations, o)
	}
	if a.Spec != nil && len(a.Spec.Operations) > 0 && len(a.Operations) > 0 &&
		!slices.ContainsFunc(a.Operations, func(o *Operation) bool { return o.Declared != nil }) {
		l.notes = append(l.notes, fmt.Sprintf("%s: no operation folder under %s/ is named as an operation the specification declares (by its operationId): each folder and each declared operation is checked as a request path of its own", a.SpecFile, operationsDir))
	}
	if a.Info != nil && !slices.Contains(KnownTypes, a.Info.TypeName()) {
		l.notes = append(l.notes, fmt.Sprintf("%s: type %q is not an API type sseready knows (%s): whether it streams is not taken from its specification's media types", a.InfoFile, a.Info.Type, strings.Join(KnownTypes, ", ")))
	}
	a.Diagnostics = l.diagnostics(ad, false)
	return a
}

// subdirs lists the folders in dir, sorted; none when dir is missing.
func (l *loader) subdirs(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.fail(dir, err)
		}
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// policy reads and parses one policy file (nil when it is missing or
// broken; a broken one is reported). A fragment (scope "") may be rootless.
func (l *loader) policy(file string, scope apimcheck.Scope) *Policy {
	src, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.fail(file, err)
		return nil
	}
	var doc *apimpolicy.Document
	if scope == "" {
		doc, err = apimpolicy.ParseLoose(src)
	} else {
		doc, err = apimpolicy.Parse(src)
	}
	if err != nil {
		l.fail(file, err)
		return nil
	}
	return &Policy{File: file, Scope: scope, Doc: doc}
}
