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
	Workspaces  []*Tree
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
	// APIs are the names of the APIs in the product (products/<p>/apis/).
	APIs []string
}

// API is an API (or one revision of it) with its operations' policies.
type API struct {
	// Name is the API's name, Folder its folder ("chat;rev=2" for a
	// revision of chat).
	Name, Folder string
	Policy       *Policy
	Operations   []*Operation
	Diagnostics  []*Diagnostic
}

// Operation is an operation's policy.
type Operation struct {
	Name   string
	Policy *Policy
}

// Diagnostic is a diagnostic of the tree, in ARM's shape.
type Diagnostic struct {
	File string
	apimdiag.Diagnostic
}

// LoadError is a file of the tree that cannot be read or used. Its Err is
// an *apimpolicy.SyntaxError for a policy that does not parse.
type LoadError struct {
	File string
	Err  error
}

func (e *LoadError) Error() string {
	var se *apimpolicy.SyntaxError
	if errors.As(e.Err, &se) {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, se.Pos.Line, se.Pos.Column, se.Msg)
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
		t.Products = append(t.Products, &Product{Name: name, Policy: l.policy(filepath.Join(pd, policyFile), apimcheck.Product),
			APIs: l.subdirs(filepath.Join(pd, apisDir))})
	}
	for _, folder := range l.subdirs(filepath.Join(dir, apisDir)) {
		ad := filepath.Join(dir, apisDir, folder)
		name, _, _ := strings.Cut(folder, ";rev=")
		a := &API{Name: name, Folder: folder, Policy: l.policy(filepath.Join(ad, policyFile), apimcheck.API)}
		for _, op := range l.subdirs(filepath.Join(ad, operationsDir)) {
			if p := l.policy(filepath.Join(ad, operationsDir, op, policyFile), apimcheck.Operation); p != nil {
				a.Operations = append(a.Operations, &Operation{Name: op, Policy: p})
			}
		}
		a.Diagnostics = l.diagnostics(ad, false)
		t.APIs = append(t.APIs, a)
	}
	t.Diagnostics = l.diagnostics(dir, true)
	if workspace == "" {
		for _, name := range l.subdirs(filepath.Join(dir, workspacesDir)) {
			t.Workspaces = append(t.Workspaces, l.level(filepath.Join(dir, workspacesDir, name), name))
		}
	}
	return t
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
