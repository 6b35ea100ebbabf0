package modulegen

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sseready/terraform-provider-sseready/examples/modules"
)

// Files are the generated module's files by slash-separated path.
type Files map[string][]byte

// InputError is a spec that cannot be generated: each problem names the
// flag that gave the value, or its place in the source.
type InputError struct{ Problems []Problem }

func (e *InputError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Text
	}
	return strings.Join(msgs, "\n")
}

// Generate writes the module for s in memory. What the stream profile
// finds wrong with the path (a silence longer than an idle cut, say) no
// generated setting can fix: it goes first in the README's "Before you
// apply", and the module's own test fails on it. Problems returns it. The
// policy's errors without a safe fix (Unfixable) come next, and what the
// module assumes (Assumptions) has a section of its own.
func Generate(s Spec) (Files, error) {
	if errs := s.Validate(); len(errs) > 0 {
		return nil, &InputError{Problems: errs}
	}
	budget, _ := s.budget()
	before := pathProblems(budget)
	if len(s.Unfixable) > 0 {
		before = append(before, s.UnfixableSummary())
		before = append(before, s.Unfixable...)
	}
	s.BeforeYouApply = append(before, s.BeforeYouApply...)
	out := Files{}
	steps := []struct {
		name string
		gen  func() ([]byte, error)
	}{
		{"versions.tf", versionsTF},
		{"variables.tf", func() ([]byte, error) { return variablesTF(s) }},
		{"main.tf", func() ([]byte, error) { return mainTF(s) }},
		{"outputs.tf", func() ([]byte, error) { return outputsTF(s) }},
		{"tests/stream.tftest.hcl", streamTest},
		{"tests/prove/main.tf", func() ([]byte, error) { return proveModule(s) }},
	}
	for _, st := range steps {
		b, err := st.gen()
		if err != nil {
			return nil, err
		}
		out[st.name] = b
	}
	if s.Policy != nil {
		out[policyFile] = s.Policy.XML
		for id, doc := range s.Policy.Fragments {
			out[fragmentFile(id)] = doc
		}
	}
	vendored := []string{"apim-sse-api"}
	if s.Has(HopAppGateway) {
		vendored = append(vendored, "appgw-sse")
	}
	for _, m := range vendored {
		if err := vendor(out, m); err != nil {
			return nil, err
		}
	}
	readme, err := readmeOf(s, out)
	if err != nil {
		return nil, err
	}
	out["README.md"] = readme
	return out, nil
}

// vendor copies one of sseready's modules into modules/NAME, without its
// own tests and examples (the generated module's test covers it).
func vendor(out Files, name string) error {
	return fs.WalkDir(modules.FS, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, name)
		if d.IsDir() && (rel == "/tests" || rel == "/examples") {
			return fs.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		b, err := modules.FS.ReadFile(p)
		if err != nil {
			return err
		}
		out[path.Join("modules", p)] = b
		return nil
	})
}

// writeTo writes the files under dir (used for the README's tables,
// which moduledocs renders from files).
func (f Files) writeTo(dir string) error {
	for name, b := range f {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil { //nolint:gosec // a module's files are meant to be read
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

// Problems lists what the path cannot survive whatever the module sets,
// as Generate puts it in the README: the caller shows it too.
func Problems(s Spec) []string {
	b, errs := s.budget()
	if len(errs) > 0 {
		return nil
	}
	return pathProblems(b)
}
