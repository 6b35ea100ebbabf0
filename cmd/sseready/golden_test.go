package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

// go test ./cmd/sseready -run Golden -update rewrites the golden files.
// Read the diff before committing it: a golden file is the expected
// output, and a wrong one is a wrong test.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const goldenDir = "testdata/golden"

// goldenCase is one command on fixed inputs, run in each format from the
// repository's root, as a pipeline runs it from its checkout (so SARIF
// names every file relative to %SRCROOT%): its standard output is
// compared whole with testdata/golden/NAME.txt, .json or .sarif, and its
// standard error, when it has any, with the same name and .stderr after
// it.
type goldenCase struct {
	name string
	// args are the command and its arguments, files named from the
	// repository's root; --format is added.
	args  []string
	stdin func(t *testing.T) string
	code  int
}

var goldenPlanFlags = []string{"--max-event-gap", "6m", "--heartbeat", "20s"}

// goldenPlan is a plan of internal/testonly/azurermconfigs, on standard
// input: no file name, so nothing in the output depends on where the test
// runs.
func goldenPlan(config, variant string, opts ...azurermstandin.Option) func(t *testing.T) string {
	return func(t *testing.T) string { return string(planShow(t, "plan", config, variant, opts...)) }
}

var goldenCases = []goldenCase{
	// Files: findings, an accepted one (--accept), one inside a fragment
	// given with --fragment, a ready file, one that does not parse and one
	// that cannot be read.
	{name: "lint-files", code: exitInput, args: []string{"lint",
		"--accept", "SSE113: the audit log needs the body",
		"--fragment", "token-limit=cmd/sseready/testdata/apiops/gate/policy fragments/token-limit/policy.xml",
		"examples/quickstart/legacy-policy.xml", "cmd/sseready/testdata/apiops/gate/apis/chat/policy.xml",
		"cmd/sseready/testdata/apiops/gate/policy.xml", "cmd/sseready/testdata/lint/broken.xml", "cmd/sseready/testdata/lint/no-such-file.xml"}},
	// APIOps trees: findings on request paths with their APIs' verdicts
	// (yes, unknown, no), a fragment no path includes, a diagnostic's
	// blocks, the DIR objects listing every path; a specification that
	// does not parse.
	{name: "lint-trees", code: exitInput, args: []string{"lint",
		"cmd/sseready/testdata/apiops/gate", "cmd/sseready/testdata/apiops/llm", "cmd/sseready/testdata/apiops/badspec"}},
	// A chain: settings, policies and a fragment in it, an acceptance in a
	// policy, the backend.
	{name: "check-chain-broken", code: exitFindings, args: []string{"check-chain", "cmd/sseready/testdata/chain/broken.json"}},
	// A chain whose policy does not parse.
	{name: "check-chain-invalid", code: exitInput, args: []string{"check-chain", "cmd/sseready/testdata/chain/invalid.json"}},
	// A plan: two paths sharing most findings, a fragment's resource, the
	// backend's settings, a value not known until apply.
	{name: "check-plan-broken", code: exitFindings, stdin: goldenPlan("broken", ""),
		args: append([]string{"check-plan", "-"}, goldenPlanFlags...)},
	// Three APIs, one per verdict, sharing the global policy's finding.
	{name: "check-plan-apis", code: exitFindings, stdin: goldenPlan("apis", ""),
		args: append([]string{"check-plan", "-"}, goldenPlanFlags...)},
	// A policy that does not parse, on both paths.
	{name: "check-plan-badxml", code: exitInput, stdin: goldenPlan("good", "badxml",
		azurermstandin.WithFile("policies/global.xml", "<policies>\n    <inbound>\n</policies>\n")),
		args: append([]string{"check-plan", "-"}, goldenPlanFlags...)},
}

func TestGolden(t *testing.T) {
	dir, err := filepath.Abs(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, gc := range goldenCases {
		for _, format := range []struct{ flag, ext string }{{"text", ".txt"}, {"json", ".json"}, {"sarif", ".sarif"}} {
			t.Run(gc.name+"/"+format.flag, func(t *testing.T) {
				stdin := ""
				if gc.stdin != nil {
					stdin = gc.stdin(t)
				}
				t.Chdir("../..")
				args := append([]string{gc.args[0], "--format", format.flag}, gc.args[1:]...)
				code, stdout, stderr := runCLI(t, stdin, args...)
				if code != gc.code {
					t.Errorf("exit %d, want %d\n%s", code, gc.code, stderr)
				}
				switch format.flag {
				case "json":
					if !json.Valid([]byte(stdout)) {
						t.Fatalf("not JSON:\n%s", stdout)
					}
				case "sarif":
					checkSARIF(t, stdout) // the 2.1.0 schema
					stdout = goldenSARIF(t, dir, stdout)
				}
				golden(t, dir, gc.name+format.ext, stdout)
				golden(t, dir, gc.name+format.ext+".stderr", stderr)
			})
		}
	}
}

// golden compares got with the golden file name in dir, or writes it
// with -update. An empty output has no file.
func golden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if *update {
		if got == "" {
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		want, err = nil, nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./cmd/sseready -run Golden -update rewrites it; read the diff):\n%s", name, lineDiff(string(want), got))
	}
}

// sarifRules opens the driver's rules array in an indented log.
var sarifRules = regexp.MustCompile(`(?m)^( +)"rules": \[$`)

// goldenSARIF is a SARIF log as its golden file holds it: the working
// directory (%SRCROOT%) as file:///WORKDIR/, and the driver's rules (the
// whole catalogue, the same in every log) compared with sarif-rules.json
// and replaced by that name.
func goldenSARIF(t *testing.T, dir, log string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sarifreport.Build(sarifreport.Log{WorkDir: wd})
	if err != nil {
		t.Fatal(err)
	}
	var root bytes.Buffer
	if err := sarifreport.Write(&root, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			OriginalURIBaseIDs map[string]struct {
				URI string `json:"uri"`
			} `json:"originalUriBaseIds"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(root.Bytes(), &doc); err != nil || len(doc.Runs) != 1 {
		t.Fatalf("%v: %s", err, root.String())
	}
	log = strings.ReplaceAll(log, `"`+doc.Runs[0].OriginalURIBaseIDs[sarifreport.SourceRoot].URI+`"`, `"file:///WORKDIR/"`)
	m := sarifRules.FindStringSubmatchIndex(log)
	if m == nil {
		t.Fatalf("no rules in the log:\n%s", log)
	}
	indent := log[m[2]:m[3]]
	end := strings.Index(log[m[1]:], "\n"+indent+"]")
	if end < 0 {
		t.Fatalf("the rules do not end:\n%s", log)
	}
	end += m[1] + len("\n"+indent+"]")
	golden(t, dir, "sarif-rules.json", log[m[1]-1:end]+"\n")
	return log[:m[0]] + indent + `"rules": "testdata/golden/sarif-rules.json"` + log[end:]
}

// lineDiff shows where want and got part: the first differing line, with
// the two lines before it and the next lines of each.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d (want %d lines, got %d)\n", i+1, len(w)-1, len(g)-1)
	for j := max(0, i-2); j < i; j++ {
		fmt.Fprintf(&b, "  %s\n", w[j])
	}
	for _, side := range []struct {
		sign  string
		lines []string
	}{{"-", w}, {"+", g}} {
		for j := i; j < min(i+3, len(side.lines)); j++ {
			fmt.Fprintf(&b, "%s %s\n", side.sign, side.lines[j])
		}
	}
	return b.String()
}
