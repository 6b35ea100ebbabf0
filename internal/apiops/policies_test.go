package apiops

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
)

// Each request path lists the policies it composes, the global first,
// by the files findings name.
func TestRequestPathPolicies(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                             globalStreams,
		"products/starter/policy.xml":            inheritsAll,
		"products/starter/apis/chat/x.json":      "{}",
		"apis/chat/policy.xml":                   validates,
		"apis/chat/operations/stream/policy.xml": inheritsAll,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := tree.Check(apimcheck.Options{})
	var got []string
	for _, p := range r.RequestPaths {
		if p.Name != "product starter > api chat > operation stream" {
			continue
		}
		for _, pp := range p.Policies {
			rel, _ := filepath.Rel(root, pp.File)
			got = append(got, string(pp.Scope)+" "+filepath.ToSlash(rel))
		}
	}
	want := []string{"global policy.xml", "product products/starter/policy.xml", "api apis/chat/policy.xml", "operation apis/chat/operations/stream/policy.xml"}
	if !slices.Equal(got, want) {
		var names []string
		for _, p := range r.RequestPaths {
			names = append(names, p.Name)
		}
		t.Fatalf("policies %q, want %q (paths %q)", got, want, names)
	}
	// A finding's File names the policy that holds it.
	for _, f := range r.Findings {
		if f.Element == "validate-content" && filepath.Base(filepath.Dir(f.File)) != "chat" {
			t.Errorf("validate-content found in %s", f.File)
		}
	}
}
