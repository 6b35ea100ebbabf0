package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/ghaction"
)

type preCommitHook struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Entry       string   `yaml:"entry"`
	Language    string   `yaml:"language"`
	Files       string   `yaml:"files"`
	Types       []string `yaml:"types"`
}

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	ghaction.ReadYAML(t, filepath.Join(moduleDir(t), name), v)
}

// moduleDir is the repository root, two directories up.
func moduleDir(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// lintFlags are the flags `sseready lint --help` lists.
func lintFlags(t *testing.T) []string {
	t.Helper()
	code, _, help := runCLI(t, "", "lint", "--help")
	if code != exitOK {
		t.Fatalf("lint --help: exit %d", code)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`).FindAllStringSubmatch(help, -1) {
		flags = append(flags, m[1])
	}
	if !slices.Contains(flags, "format") || !strings.Contains(help, "sarif") {
		t.Fatalf("lint --help lists %v and no sarif format:\n%s", flags, help)
	}
	return flags
}

// flagsIn are the --flags named in s (not the bare -- that ends them).
func flagsIn(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?:^|[\s\x60"'])--([a-z][a-z-]*)`).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// The hook runs `sseready lint`, built by pre-commit from this module,
// on the files of APIOps trees and *.policy.xml, and only those.
func TestPreCommitHooksFile(t *testing.T) {
	var hooks []preCommitHook
	readYAML(t, ".pre-commit-hooks.yaml", &hooks)
	if len(hooks) != 1 || hooks[0].ID != "sseready-lint" {
		t.Fatalf("hooks %+v, want sseready-lint", hooks)
	}
	h := hooks[0]
	if h.Entry != "sseready lint" || h.Language != "golang" || h.Name == "" || h.Description == "" {
		t.Errorf("hook %+v", h)
	}
	// pre-commit matches files with Python's re.search; the pattern is in
	// the syntax both share.
	files := regexp.MustCompile(h.Files)
	for path, want := range map[string]bool{
		"policy.xml":           true,
		"apis/chat/policy.xml": true,
		"apis/chat;rev=2/operations/post-chat/policy.xml": true,
		"products/starter/policy.xml":                     true,
		"policy fragments/orders-auth/policy.xml":         true,
		"workspaces/team/apis/chat/policy.xml":            true,
		"legacy/orders.policy.xml":                        true,
		"orders.policy.xml":                               true,
		"apis/chat/specification.yaml":                    false,
		"apis/chat/apiInformation.json":                   false,
		"notes/buffering.xml":                             false,
		"mypolicy.xml":                                    false,
		"apis/chat/policy.xml.bak":                        false,
		"policy.xml/readme.md":                            false,
	} {
		if got := files.MatchString(path); got != want {
			t.Errorf("files %q matches %q: %v, want %v", h.Files, path, got, want)
		}
	}
	// The entry is a command of this CLI.
	args := strings.Fields(h.Entry)
	if args[0] != "sseready" {
		t.Fatalf("entry %q does not run sseready", h.Entry)
	}
	if code, _, stderr := runCLI(t, "", append(args[1:], "--help")...); code != exitOK {
		t.Errorf("%s --help: exit %d\n%s", h.Entry, code, stderr)
	}
}

// action.yml: a composite action whose inputs and sseready flags are the
// CLI's, whose SARIF goes to upload-sarif, and whose shell steps work: they
// run here as GitHub runs them (bash -e), with the action's expressions
// filled in, on an APIOps-like tree.
func TestActionFile(t *testing.T) {
	var a ghaction.File
	readYAML(t, "action.yml", &a)
	if a.Runs.Using != "composite" || a.Name == "" || a.Description == "" {
		t.Fatalf("runs.using %q, name %q, description %q", a.Runs.Using, a.Name, a.Description)
	}
	def := func(name string) string {
		t.Helper()
		in, ok := a.Inputs[name]
		if !ok {
			t.Fatalf("no input %q", name)
		}
		if in.Default == nil || in.Required || in.Description == "" {
			t.Fatalf("input %q: every input needs a description and a default", name)
		}
		return *in.Default
	}
	if def("paths") == "" || def("fail-on") != "error" {
		t.Errorf("paths %q, fail-on %q", def("paths"), def("fail-on"))
	}
	if _, err := apimcheck.ParseScope(def("scope")); err != nil {
		t.Errorf("scope default: %v", err)
	}

	// Every input is used, every expression names a declared input or an
	// earlier step's output.
	raw, err := os.ReadFile(filepath.Join(moduleDir(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range a.Inputs {
		if !strings.Contains(string(raw), "inputs."+name) {
			t.Errorf("input %q is never used", name)
		}
	}
	for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("inputs.%s is not declared", m[1])
		}
	}
	ids := map[string]bool{}
	for _, s := range a.Runs.Steps {
		for _, m := range regexp.MustCompile(`steps\.([a-z-]+)\.outputs`).FindAllStringSubmatch(s.If+s.Run+strings.Join(mapValues(s.Env), " ")+strings.Join(mapValues(s.With), " "), -1) {
			if !ids[m[1]] {
				t.Errorf("step %q reads step %q, which does not run before it", s.Name, m[1])
			}
		}
		if s.ID != "" {
			ids[s.ID] = true
		}
	}

	// Each flag the action passes or documents is one `sseready lint` has.
	flags := lintFlags(t)
	var used []string
	for _, s := range a.Runs.Steps {
		for _, line := range strings.Split(s.Run, "\n") {
			if strings.Contains(line, `"$SSEREADY" lint`) {
				used = append(used, flagsIn(line)...)
			}
		}
	}
	used = append(used, flagsIn(a.Inputs["args"].Description)...)
	used = append(used, flagsIn(a.Inputs["scope"].Description)...)
	if !slices.Contains(used, "format") || !slices.Contains(used, "scope") || !slices.Contains(used, "fragment") {
		t.Errorf("the action uses %v: want --format, --scope, and --fragment documented", used)
	}
	for _, f := range used {
		if !slices.Contains(flags, f) {
			t.Errorf("action.yml uses --%s, which sseready lint does not have (it has %v)", f, flags)
		}
	}

	// The SARIF goes to code scanning, then the findings gate the step.
	upload, gate := -1, -1
	for i, s := range a.Runs.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			upload = i
			if s.With["sarif_file"] != "${{ steps.lint.outputs.sarif-file }}" || !strings.Contains(s.If, "inputs.upload") {
				t.Errorf("upload step %+v", s)
			}
		case strings.Contains(s.Run, "FAIL_ON") && strings.Contains(s.Env["CODE"], "steps.lint.outputs.exit-code"):
			gate = i
		}
		if s.Uses == "" && s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
	}
	if upload < 0 || gate < upload {
		t.Fatalf("upload step %d, gate step %d: the SARIF must be uploaded before the findings fail the step", upload, gate)
	}

	if runtime.GOOS == "windows" {
		return // the steps are bash
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is not on PATH")
	}
	runActionSteps(t, a)
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func runActionSteps(t *testing.T, a ghaction.File) {
	if testing.Short() {
		t.Skip("runs the action's steps, which build sseready with go: not in -short")
	}
	work := t.TempDir()
	tree := map[string]string{
		"apis/chat/policy.xml":                    bufferingPolicy,
		"apis/ready/policy.xml":                   readyPolicy,
		"apis/orders/policy.xml":                  "<policies>\n  <inbound><base /></inbound>\n  <backend><include-fragment fragment-id=\"orders-auth\" /></backend>\n  <outbound><base /></outbound>\n</policies>\n",
		"policy fragments/orders-auth/policy.xml": "<fragment>\n  <forward-request timeout=\"120\" buffer-response=\"false\" />\n</fragment>\n",
		"legacy/batch.policy.xml":                 bufferingPolicy,
		"notes/buffering.xml":                     bufferingPolicy,
	}
	for name, content := range tree {
		p := filepath.Join(work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	newRun := func(inputs map[string]string) *ghaction.Run {
		return ghaction.NewRun(t, a, moduleDir(t), "v0.0.0-action-test", inputs)
	}

	// The defaults: every policy file of the tree, error findings fail.
	r := newRun(nil)
	failed, code := r.Steps(work)
	if failed != "Fail on the findings" || code != 1 {
		t.Fatalf("defaults: step %q exit %d, want the gate to fail with 1\n%s", failed, code, r.Log.String())
	}
	lint := r.Outputs["lint"]
	if lint["exit-code"] != "1" || lint["sarif-written"] != "true" || lint["sarif-file"] != "sseready.sarif" {
		t.Fatalf("lint outputs %v\n%s", lint, r.Log.String())
	}
	sarifOut, err := os.ReadFile(filepath.Join(work, "sseready.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSARIF(t, string(sarifOut))
	if v := at(doc, "runs", 0, "tool", "driver", "version"); v != "v0.0.0-action-test" {
		t.Errorf("driver version %v: the action builds with the action's ref", v)
	}
	var results []string
	for _, res := range sarifResults(doc) {
		results = append(results, res.uri+" "+res.rule+" "+res.level)
	}
	slices.Sort(results)
	want := []string{
		"apis/chat/policy.xml SSE101 error",
		"apis/orders/policy.xml SSE103 warning", // the fragment is not given
		"apis/orders/policy.xml SSE130 warning",
		"legacy/batch.policy.xml SSE101 error",
	}
	if !slices.Equal(results, want) {
		t.Errorf("results %v, want %v\n%s", results, want, r.Log.String())
	}
	if !strings.Contains(r.Log.String(), "apis/chat/policy.xml:3:12: error SSE101") || !strings.Contains(r.Log.String(), "sseready lint: 5 file(s)") {
		t.Errorf("the log lacks the text findings or the file count:\n%s", r.Log.String())
	}

	// fail-on none: the findings are reported, the step passes; args and
	// paths lines with spaces.
	r = newRun(map[string]string{
		"fail-on": "none",
		"paths":   "apis/orders/policy.xml\n  legacy/*.policy.xml  \n\nmissing/**/policy.xml\n",
		"args":    "--fragment=orders-auth=policy fragments/orders-auth/policy.xml\n--accept=SSE131: snippets are fine\n",
		"scope":   "api", "sarif-file": "reports/lint.sarif",
	})
	if failed, code = r.Steps(work); code != 0 {
		t.Fatalf("fail-on none: step %q exit %d\n%s", failed, code, r.Log.String())
	}
	if r.Outputs["lint"]["exit-code"] != "1" || !strings.Contains(r.Log.String(), "::warning::sseready: no file matches 'missing/**/policy.xml'") ||
		!strings.Contains(r.Log.String(), "not failing the step (fail-on: none)") || !strings.Contains(r.Log.String(), "sseready lint: 2 file(s)") {
		t.Errorf("fail-on none:\n%s", r.Log.String())
	}
	sarifOut, err = os.ReadFile(filepath.Join(work, "reports", "lint.sarif"))
	if err != nil {
		t.Fatalf("sarif-file in a new directory: %v", err)
	}
	results = nil
	for _, res := range sarifResults(checkSARIF(t, string(sarifOut))) {
		results = append(results, res.uri+" "+res.rule+" "+res.level)
	}
	if want := []string{"legacy/batch.policy.xml SSE101 error"}; !slices.Equal(results, want) {
		t.Errorf("with the fragment given: results %v, want %v\n%s", results, want, r.Log.String())
	}

	// Nothing to check fails; a file that does not parse fails with 2;
	// a wrong fail-on is refused.
	for _, c := range []struct {
		name   string
		inputs map[string]string
		step   string
		code   int
		log    string
	}{
		{"no files", map[string]string{"paths": "nowhere/**/policy.xml"}, "Fail on the findings", 2, "::error::sseready: no policy file matches paths"},
		{"a broken file", map[string]string{"paths": "broken.xml", "fail-on": "none"}, "Fail on the findings", 2, "could not read or parse"},
		{"bad fail-on", map[string]string{"fail-on": "warning"}, "sseready lint", 2, "fail-on must be error or none"},
	} {
		if c.name == "a broken file" {
			if err := os.WriteFile(filepath.Join(work, "broken.xml"), []byte(brokenXML), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		r := newRun(c.inputs)
		failed, code := r.Steps(work)
		if failed != c.step || code != c.code || !strings.Contains(r.Log.String(), c.log) {
			t.Errorf("%s: step %q exit %d, want %q %d and %q\n%s", c.name, failed, code, c.step, c.code, c.log, r.Log.String())
		}
	}
}
