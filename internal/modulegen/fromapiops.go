package modulegen

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apiops"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// ErrUnknownAPI is an --api the source does not hold.
var ErrUnknownAPI = errors.New("no such API")

// FromAPIOps reads the API named api from an APIOps tree at dir: its
// policy, fixed where the fix is safe and kept as a file the module reads
// (with the fragments it includes), its path and backend URL from
// apiInformation.json, and a logger per diagnostic. The rest of the
// spec is Default's. What the fixes cannot settle along the API's request
// paths (the global, product and operation policies, a finding without a
// safe fix) goes in BeforeYouApply.
func FromAPIOps(dir, api string) (Spec, error) {
	s := Default()
	tree, errs := apiops.Load(dir)
	if tree == nil {
		return s, errors.Join(errs...)
	}
	level, a := findAPI(tree, api)
	if a == nil {
		return s, fmt.Errorf("%w %q in the APIOps tree %s: it has %s", ErrUnknownAPI, api, dir, listOrNone(apiNames(tree)))
	}
	for _, err := range errs {
		var le *apiops.LoadError
		if errors.As(err, &le) && strings.Contains(filepath.ToSlash(le.File), "/apis/"+a.Folder+"/") {
			return s, fmt.Errorf("the API's files cannot be read: %w", err)
		}
	}
	s.APIName, s.Path = a.Name, a.Name
	s.Source = fmt.Sprintf("the APIOps tree %s (API %s)", filepath.ToSlash(dir), a.Folder)
	if level.Workspace != "" {
		s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The API is in the workspace %s: the module puts it on the instance itself; move it into the workspace if it must stay there.", level.Workspace))
	}
	readAPIInformation(filepath.Join(level.Dir, "apis", a.Folder, "apiInformation.json"), &s)

	if a.Policy != nil {
		src, err := os.ReadFile(a.Policy.File)
		if err != nil {
			return s, err
		}
		frags := map[string][]byte{}
		for _, id := range includedFragments(src) {
			p := level.Fragments[id]
			if p == nil && level != tree {
				p = tree.Fragments[id]
			}
			if p == nil {
				s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The policy includes the fragment %s, which the tree does not hold: it is checked as unknown.", id))
				continue
			}
			if frags[id], err = os.ReadFile(p.File); err != nil {
				return s, err
			}
		}
		if err := s.fixPolicy(src, frags, filepath.ToSlash(a.Policy.File)); err != nil {
			return s, err
		}
	} else {
		s.BeforeYouApply = append(s.BeforeYouApply, "The API has no policy in the tree: the module renders one with sseready_apim_policy.")
	}

	for _, d := range a.Diagnostics {
		if id := loggerID(d.File); id != "" {
			s.Loggers[d.Identifier] = Logger{ID: id, Identifier: d.Identifier}
		}
	}
	if len(a.Operations) > 0 {
		names := []string{}
		for _, op := range a.Operations {
			names = append(names, op.Name)
		}
		s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The tree has operation policies for %s: their methods and URL templates are in the API's specification, which sseready does not read, so the module declares the default chat completions operation; set var.operations, and deploy the operation policies with azurerm_api_management_api_operation_policy.", strings.Join(names, ", ")))
	}
	// The rest of the API's request paths: the global, workspace,
	// product and operation policies, and the global diagnostics.
	rep := tree.Check(apimcheck.Options{})
	own := ""
	if a.Policy != nil {
		own = filepath.ToSlash(a.Policy.File)
	}
	for _, f := range rep.Findings {
		if f.Severity != rules.Error || filepath.ToSlash(f.File) == own || !onAPI(f.Paths, a.Folder) {
			continue
		}
		if strings.Contains(filepath.ToSlash(f.File), "/apis/"+a.Folder+"/diagnostics/") {
			s.Fixed = append(s.Fixed, fmt.Sprintf("%s: %s: %s (the module's diagnostics log no bodies)", filepath.ToSlash(f.File), f.Rule, f.Message))
			continue
		}
		s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("%s:%d:%d: %s %s, on the API's path but not in this module: %s",
			filepath.ToSlash(f.File), f.Line, f.Column, f.Severity, f.Rule, f.Message))
	}
	return s, nil
}

// fixPolicy keeps src as the module's policy file with the safe fixes
// applied, recording them and what remains.
func (s *Spec) fixPolicy(src []byte, frags map[string][]byte, name string) error {
	texts := map[string]string{}
	for id, b := range frags {
		texts[id] = string(b)
	}
	docs, errs := apimcheck.ParseFragments(texts)
	if len(errs) > 0 {
		return fmt.Errorf("%s: %w", name, errs[0])
	}
	fixed, err := apimcheck.Fix(src, apimcheck.Options{Scope: apimcheck.API, Fragments: docs})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	s.Policy = &Policy{XML: fixed.Source, Fragments: frags}
	for _, f := range fixed.Applied {
		s.Fixed = append(s.Fixed, fmt.Sprintf("%s:%d:%d: %s: %s", name, f.Line, f.Column, f.Rule, f.Message))
	}
	for _, f := range fixed.Remaining.Findings {
		if f.Severity == rules.Error {
			s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("%s (%s after the fixes), line %d, column %d: %s %s has no safe fix: %s",
				name, policyFile, f.Line, f.Column, f.Severity, f.Rule, f.Message))
		}
	}
	return nil
}

var fragmentRef = regexp.MustCompile(`fragment-id\s*=\s*"([^"]+)"`)

func includedFragments(src []byte) []string {
	var ids []string
	for _, m := range fragmentRef.FindAllSubmatch(src, -1) {
		if id := string(m[1]); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func findAPI(t *apiops.Tree, name string) (*apiops.Tree, *apiops.API) {
	for _, level := range append([]*apiops.Tree{t}, t.Workspaces...) {
		for _, a := range level.APIs {
			if a.Folder == name || (a.Name == name && !strings.Contains(a.Folder, ";rev=")) {
				return level, a
			}
		}
	}
	return nil, nil
}

func apiNames(t *apiops.Tree) []string {
	var out []string
	for _, level := range append([]*apiops.Tree{t}, t.Workspaces...) {
		for _, a := range level.APIs {
			out = append(out, a.Folder)
		}
	}
	return out
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "no API"
	}
	return strings.Join(names, ", ")
}

func onAPI(paths []string, folder string) bool {
	for _, p := range paths {
		if strings.Contains(p, "api "+folder) {
			return true
		}
	}
	return false
}

// readAPIInformation takes the API's path and service URL from APIOps'
// apiInformation.json, when it holds them.
func readAPIInformation(file string, s *Spec) {
	b, err := os.ReadFile(file)
	if err != nil {
		return
	}
	var info struct {
		Properties struct {
			Path       string `json:"path"`
			ServiceURL string `json:"serviceUrl"`
		} `json:"properties"`
	}
	if json.Unmarshal(b, &info) != nil {
		s.BeforeYouApply = append(s.BeforeYouApply, filepath.ToSlash(file)+" is not JSON: the API's path and backend URL are the defaults.")
		return
	}
	if p := strings.Trim(info.Properties.Path, "/"); p != "" {
		s.Path = p
	}
	if info.Properties.ServiceURL != "" {
		s.BackendURL = info.Properties.ServiceURL
	}
}

// loggerID reads a diagnostic's properties.loggerId.
func loggerID(file string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	var d struct {
		Properties struct {
			LoggerID string `json:"loggerId"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(b, &d)
	return d.Properties.LoggerID
}
