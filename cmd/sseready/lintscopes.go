package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// scopesAbove are the policies --global and --product give: lint FILE
// then checks each FILE composed with them, as APIM runs it, the way a
// tree's request path is (so a <backend> that only says <base /> under a
// global policy that streams is fine).
type scopesAbove struct {
	global, product string // the files given
	policies        []apimcheck.ScopedPolicy
	// seen are the findings of the policies above already reported.
	seen map[string]bool
}

func (s *scopesAbove) given() bool { return s.global != "" || s.product != "" }

// load reads and parses the files given. scope is the scope of the FILEs,
// which must stand below them.
func (s *scopesAbove) load(scope apimcheck.Scope) error {
	if !s.given() {
		return nil
	}
	switch {
	case scope == apimcheck.Operation:
		return fmt.Errorf("--global and --product compose with an API's policy: an operation's policy runs the API's at its <base />, so lint the API policy (--scope api) or the whole APIOps tree")
	case s.product != "" && scope != apimcheck.API:
		return fmt.Errorf("--product composes with an API's policy (--scope api), not one at %s scope", scope)
	case scope == apimcheck.Global:
		return fmt.Errorf("--global composes a policy below the global one: give --scope api, product or workspace")
	}
	for _, p := range []struct {
		file  string
		scope apimcheck.Scope
		flag  string
	}{{s.global, apimcheck.Global, "--global"}, {s.product, apimcheck.Product, "--product"}} {
		if p.file == "" {
			continue
		}
		src, err := os.ReadFile(p.file)
		if err != nil {
			return fmt.Errorf("%s: %w", p.flag, err)
		}
		doc, err := apimpolicy.Parse(src)
		var se *apimpolicy.SyntaxError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("%s %s:%d:%d: %s", p.flag, p.file, se.Pos.Line, se.Pos.Column, se.Msg)
		case err != nil:
			return fmt.Errorf("%s %s: %w", p.flag, p.file, err)
		case doc.Root() == nil || doc.Root().Name != "policies":
			return fmt.Errorf("%s %s: a %s policy is a <policies> document", p.flag, p.file, p.scope)
		}
		s.policies = append(s.policies, apimcheck.ScopedPolicy{Scope: p.scope, Doc: doc, Name: p.file})
	}
	return nil
}

// check checks doc (the FILE called name) composed under the policies
// given: its own findings, and those of the policies above by file.
func (s *scopesAbove) check(doc *apimpolicy.Document, name string, opts apimcheck.Options) (own []rules.Finding, above map[string][]rules.Finding, err error) {
	if r := doc.Root(); r == nil || r.Name != "policies" {
		return nil, nil, fmt.Errorf("with --global or --product, FILE must be a <policies> document (this one is a fragment or a snippet: lint it on its own)")
	}
	top := apimcheck.ScopedPolicy{Scope: opts.Scope, Doc: doc, Name: name}
	chain := append(append([]apimcheck.ScopedPolicy(nil), s.policies...), top)
	comp, err := apimcheck.Compose(chain)
	if err != nil {
		return nil, nil, err
	}
	above = map[string][]rules.Finding{}
	for _, sf := range apimcheck.CheckComposition(&comp, opts) {
		switch {
		case sf.Source == nil:
			if f, ok := apimcheck.DefaultFinding(sf, chain[0], "no --global policy is given"); ok {
				if chain[0].Name == name {
					own = append(own, f)
				} else {
					above[chain[0].Name] = append(above[chain[0].Name], f)
				}
			}
		case sf.Source.Name == name:
			own = append(own, sf.Finding)
		default:
			above[sf.Source.Name] = append(above[sf.Source.Name], sf.Finding)
		}
	}
	rules.Sort(own)
	return own, above, nil
}

// lintComposed is lintFile for a FILE checked under --global/--product:
// its result, and one for each policy above that holds findings.
func lintComposed(name string, stdin io.Reader, opts lintOptions) []jsonFile {
	display, src, err := readInput(name, stdin)
	res := jsonFile{File: display, Findings: []report.Finding{}}
	if err != nil {
		res.fail(fmt.Errorf("cannot read: %w", err))
		return []jsonFile{res}
	}
	doc, err := apimpolicy.Parse(src)
	if err == nil {
		var own []rules.Finding
		var above map[string][]rules.Finding
		own, above, err = opts.above.check(doc, display, opts.check)
		if err == nil {
			res.Ready = rules.Ready(own)
			for _, f := range own {
				res.Findings = append(res.Findings, lintFinding(f, display, opts))
			}
			out := []jsonFile{res}
			for _, p := range opts.above.policies {
				fs := above[p.Name]
				if len(fs) == 0 {
					continue
				}
				rules.Sort(fs)
				pf := jsonFile{File: p.Name, Ready: rules.Ready(fs), Findings: []report.Finding{}}
				for _, f := range fs {
					pf.Findings = append(pf.Findings, lintFinding(f, p.Name, opts))
				}
				out = append(out, pf)
			}
			return out
		}
	}
	res.fail(err)
	return []jsonFile{res}
}

// readInput reads FILE, or standard input for "-", and returns the name
// to report it by.
func readInput(name string, stdin io.Reader) (string, []byte, error) {
	if name == "-" {
		src, err := io.ReadAll(stdin)
		return report.Stdin, src, err
	}
	src, err := os.ReadFile(name)
	return name, src, err
}

// dedupe drops, from the results of one FILE, the findings of a policy
// above that an earlier FILE already reported: the global policy is one
// file however many API policies are composed with it.
func (s *scopesAbove) dedupe(batch []jsonFile) []jsonFile {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	out := batch[:1]
	for _, res := range batch[1:] {
		var keep []report.Finding
		for _, f := range res.Findings {
			key := fmt.Sprintf("%s\x00%d\x00%d\x00%s\x00%s", res.File, f.Line, f.Column, f.Rule, f.Fragment)
			if !s.seen[key] {
				s.seen[key] = true
				keep = append(keep, f)
			}
		}
		if len(keep) > 0 {
			res.Findings = keep
			out = append(out, res)
		}
	}
	return out
}
