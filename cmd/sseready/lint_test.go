package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

const (
	readyPolicy = `<policies>
  <inbound><base /></inbound>
  <backend><forward-request timeout="120" fail-on-error-status-code="true" buffer-response="false" /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`
	bufferingPolicy = `<policies>
  <inbound><base /></inbound>
  <backend><forward-request timeout="120" /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`
	inheritingPolicy = `<policies>
  <backend><base /></backend>
</policies>
`
	brokenXML = "<policies>\n  <inbound>\n</policies>\n"
)

// writeFiles puts name -> content files in a temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestLintExitCodesAndText(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"ready.xml": readyPolicy, "buffering.xml": bufferingPolicy, "inheriting.xml": inheritingPolicy, "broken.xml": brokenXML,
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // exact
	}{
		{"ready file", []string{"lint", p("ready.xml")}, "", 0, ""},
		{"buffering file", []string{"lint", p("buffering.xml")}, "", 1,
			p("buffering.xml") + `:3:12: error SSE101: forward-request has no buffer-response, so it buffers the response in 8 KB units (the default is true): add buffer-response="false"` + "\n"},
		{"scope after the file", []string{"lint", p("inheriting.xml"), "--scope", "operation"}, "", 0,
			p("inheriting.xml") + `:2:12: warning SSE102: at operation scope <base /> runs the API-scope <backend>: events are relayed at once only if that policy's forward-request has buffer-response="false"; check it with scope api` + "\n"},
		{"unparseable file", []string{"lint", p("broken.xml")}, "", 2,
			p("broken.xml") + ":3:1: error: end tag </policies> found while <inbound> is still open: <inbound> opened at line 2, column 3 needs its </inbound> first\n"},
		{"missing file wins over findings", []string{"lint", p("buffering.xml"), p("nope.xml")}, "", 2, ""},
		{"standard input", []string{"lint", "-"}, bufferingPolicy, 1,
			`<stdin>:3:12: error SSE101: forward-request has no buffer-response, so it buffers the response in 8 KB units (the default is true): add buffer-response="false"` + "\n"},
		{"no file", []string{"lint"}, "", 2, ""},
		{"bad scope", []string{"lint", "--scope", "tenant", p("ready.xml")}, "", 2, ""},
		{"bad format", []string{"lint", "--format", "xml", p("ready.xml")}, "", 2, ""},
		{"unknown flag", []string{"lint", "--fast", p("ready.xml")}, "", 2, ""},
		{"fix with two files", []string{"lint", "--fix", p("ready.xml"), p("buffering.xml")}, "", 2, ""},
		{"write to stdin", []string{"lint", "-w", "-"}, readyPolicy, 2, ""},
		{"stdin twice", []string{"lint", "-", "-"}, readyPolicy, 2, ""},
		{"flags end at --", []string{"lint", "--", p("ready.xml"), "-w"}, "", 2, "-w: error: cannot read: open -w: no such file or directory\n"},
		{"unknown command", []string{"frobnicate"}, "", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if tt.name == "missing file wins over findings" {
				if !strings.Contains(stdout, "nope.xml: error: cannot read:") {
					t.Fatalf("missing file not reported: %s", stdout)
				}
				return
			}
			if stdout != tt.stdout {
				t.Fatalf("stdout\n%q\nwant\n%q", stdout, tt.stdout)
			}
			if tt.code == 2 && tt.stdout == "" && stderr == "" {
				t.Error("a usage error must say what is wrong on standard error")
			}
		})
	}
}

func TestLintFix(t *testing.T) {
	dir := writeFiles(t, map[string]string{"buffering.xml": bufferingPolicy})
	code, stdout, stderr := runCLI(t, "", "lint", "--fix", filepath.Join(dir, "buffering.xml"))
	if code != 0 {
		t.Fatalf("exit %d: the fixed document is ready; stderr %s", code, stderr)
	}
	want := strings.Replace(bufferingPolicy, `timeout="120" />`, `timeout="120" buffer-response="false" />`, 1)
	if stdout != want {
		t.Fatalf("fixed document\n%s\nwant\n%s", stdout, want)
	}
	// Findings left after the fix go to standard error, so the document
	// can be piped; here there are none, and the summary says it is ready.
	if want := "sseready lint: " + filepath.Join(dir, "buffering.xml") + ": 1 safe fix applied; the fixed document is ready\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	// Standard input works too, and what cannot be fixed is reported.
	src := strings.Replace(bufferingPolicy, "<outbound><base />", `<outbound><base /><cache-store duration="10" />`, 1)
	code, stdout, stderr = runCLI(t, src, "lint", "--fix", "-")
	if code != 1 || !strings.Contains(stdout, `buffer-response="false"`) || !strings.Contains(stderr, "<stdin>:4:21: error SSE120: cache-store caches whole responses") ||
		!strings.HasSuffix(stderr, "sseready lint: <stdin>: 1 safe fix applied; 1 error remains, with no safe fix (listed above): the fixed document is not ready\n") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestLintWrite(t *testing.T) {
	limited := strings.Replace(inheritingPolicy, "<policies>\n", "<policies>\n  <inbound><llm-token-limit tokens-per-minute=\"500\" counter-key=\"k\" /></inbound>\n", 1)
	dir := writeFiles(t, map[string]string{"a.xml": bufferingPolicy, "b.xml": readyPolicy, "c.xml": limited})
	code, stdout, stderr := runCLI(t, "", "lint", "-w", filepath.Join(dir, "a.xml"), filepath.Join(dir, "b.xml"), filepath.Join(dir, "c.xml"))
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read("a.xml"); !strings.Contains(got, `<forward-request timeout="120" buffer-response="false" />`) {
		t.Errorf("a.xml not fixed:\n%s", got)
	}
	if got := read("b.xml"); got != readyPolicy {
		t.Errorf("b.xml was ready and must be untouched:\n%s", got)
	}
	if got := read("c.xml"); !strings.Contains(got, `<backend><forward-request timeout="120" buffer-response="false" /></backend>`) {
		t.Errorf("c.xml not fixed:\n%s", got)
	}
	if info, err := os.Stat(filepath.Join(dir, "a.xml")); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("file mode changed: %v %v", info.Mode(), err)
	}
	// What the fix leaves (the token estimate on c.xml) is still printed,
	// and each file says what was done.
	if !strings.Contains(stdout, "c.xml:2:12: info SSE140") {
		t.Errorf("remaining findings not printed: %s", stdout)
	}
	for _, want := range []string{
		filepath.Join(dir, "a.xml") + ": 1 safe fix applied and written back; the fixed document is ready\n",
		filepath.Join(dir, "b.xml") + ": no safe fix to apply; the document is ready\n",
		filepath.Join(dir, "c.xml") + ": 1 safe fix applied and written back; the fixed document is ready\n",
	} {
		if !strings.Contains(stdout, "sseready lint: "+want) {
			t.Errorf("no summary %q in\n%s", want, stdout)
		}
	}
}

func TestLintCorpus(t *testing.T) {
	dir := t.TempDir()
	var args []string
	for i, f := range testcorpus.APIMPolicies() {
		name := filepath.Join(dir, strings.ReplaceAll(f.Name, "/", "_"))
		if err := os.WriteFile(name, f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			args = append(args, name)
		}
	}
	code, stdout, stderr := runCLI(t, "", append([]string{"lint", "--format", "json"}, args...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1: the corpus parses but buffers; stderr %s", code, stderr)
	}
	var got []jsonFile
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || len(got) != len(args) {
		t.Fatalf("%d results for %d files: %v", len(got), len(args), err)
	}
}

func TestRulesCommand(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "rules", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var got []jsonRule
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) < 15 || got[1].ID != "SSE101" || !got[1].AutoFix || got[1].Severity != "error" || len(got[1].Sources) == 0 {
		t.Fatalf("rules: %+v", got[:2])
	}
	code, stdout, _ = runCLI(t, "", "rules")
	if code != 0 || !strings.Contains(stdout, "SSE101  error     auto") {
		t.Fatalf("text rules:\n%s", stdout)
	}
}

// TestBinaryExitCodes builds the real command and checks the process exit
// status that pipelines see.
func TestBinaryExitCodes(t *testing.T) {
	bin := builtCLI(t)
	dir := writeFiles(t, map[string]string{"ready.xml": readyPolicy, "buffering.xml": bufferingPolicy, "broken.xml": brokenXML})
	for _, tt := range []struct {
		file string
		code int
	}{{"ready.xml", 0}, {"buffering.xml", 1}, {"broken.xml", 2}} {
		cmd := exec.Command(bin, "lint", filepath.Join(dir, tt.file))
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d", tt.file, code, tt.code)
		}
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "sseready ") {
		t.Errorf("version: %q %v", out, err)
	}
}

// --fragment resolves include-fragment: a finding inside the fragment is
// printed at the fragment's file, line and column.
func TestLintFragments(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"api.xml":       "<policies>\n  <inbound><base /></inbound>\n  <backend><include-fragment fragment-id=\"forward\" /></backend>\n  <outbound><base /></outbound>\n</policies>\n",
		"forward.xml":   "<fragment>\n  <forward-request timeout=\"120\" />\n</fragment>\n",
		"streaming.xml": "<fragment>\n  <forward-request timeout=\"120\" buffer-response=\"false\" />\n</fragment>\n",
		"broken.xml":    "<fragment>\n  <forward-request>\n</fragment>\n",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	code, stdout, stderr := runCLI(t, "", "lint", "--fragment", "forward="+p("forward.xml"), p("api.xml"))
	want := p("forward.xml") + `:2:3: error SSE101: forward-request has no buffer-response`
	if code != 1 || !strings.Contains(stdout, want) || !strings.Contains(stdout, `(in fragment "forward", included at line 3, column 12)`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s\nwant %s", code, stdout, stderr, want)
	}
	if code, stdout, _ = runCLI(t, "", "lint", "--fragment", "forward="+p("streaming.xml"), p("api.xml")); code != 0 || stdout != "" {
		t.Fatalf("a streaming fragment: exit %d\n%s", code, stdout)
	}
	// Without the fragment: today's warning, and the backend's.
	if code, stdout, _ = runCLI(t, "", "lint", p("api.xml")); code != 0 || !strings.Contains(stdout, "warning SSE130") {
		t.Fatalf("no fragment given: exit %d\n%s", code, stdout)
	}
	// JSON names the fragment and its file.
	code, stdout, _ = runCLI(t, "", "lint", "--format", "json", "--fragment", "forward="+p("forward.xml"), p("api.xml"))
	var out []jsonFile
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 1 {
		t.Fatalf("exit %d: %v\n%s", code, err, stdout)
	}
	if f := out[0].Findings[0]; f.Fragment != "forward" || f.FragmentFile != p("forward.xml") || f.Line != 2 {
		t.Fatalf("finding %+v", f)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--fragment", "forward=" + p("broken.xml")}, p("broken.xml") + `:3:1: error: fragment "forward": end tag </fragment> found while <forward-request> is still open`},
		{[]string{"--fragment", "forward=" + p("missing.xml")}, p("missing.xml") + `: error: cannot read fragment "forward"`},
		{[]string{"--fragment", "forward"}, `--fragment "forward": write NAME=FILE`},
		{[]string{"--fragment", "f=" + p("forward.xml"), "--fragment", "f=" + p("streaming.xml")}, `"f" is given twice`},
	} {
		code, _, stderr := runCLI(t, "", append(append([]string{"lint"}, bad.args...), p("api.xml"))...)
		if code != 2 || !strings.Contains(stderr, bad.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", bad.args, code, stderr, bad.want)
		}
	}
}

// --accept and inline comments: accepted findings print with their reason
// and do not fail the run.
func TestLintAccept(t *testing.T) {
	dir := writeFiles(t, map[string]string{"buffering.xml": bufferingPolicy,
		"inline.xml": strings.Replace(bufferingPolicy, "<backend>", "<!-- sseready:accept SSE101 batch route -->\n  <backend>", 1)})
	p := func(name string) string { return filepath.Join(dir, name) }
	code, stdout, stderr := runCLI(t, "", "lint", "--accept", "SSE101: the batch API never streams", p("buffering.xml"))
	if code != 0 || !strings.Contains(stdout, "accepted SSE101: forward-request has no buffer-response") || !strings.Contains(stdout, "(accepted: the batch API never streams)") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "", "lint", p("inline.xml"))
	if code != 0 || !strings.Contains(stdout, "inline.xml:4:12: accepted SSE101") || !strings.Contains(stdout, "(accepted: batch route)") {
		t.Fatalf("inline: exit %d\n%s", code, stdout)
	}
	// -w leaves an accepted finding as it is.
	if code, _, _ = runCLI(t, "", "lint", "-w", "--accept", "SSE101", p("buffering.xml")); code != 0 {
		t.Fatalf("-w: exit %d", code)
	}
	if b, _ := os.ReadFile(p("buffering.xml")); string(b) != bufferingPolicy {
		t.Fatalf("-w fixed an accepted finding:\n%s", b)
	}
	if code, _, stderr = runCLI(t, "", "lint", "--accept", "SSE999", p("buffering.xml")); code != 2 || !strings.Contains(stderr, `--accept "SSE999": "SSE999" is not a rule ID`) {
		t.Fatalf("unknown rule: exit %d %s", code, stderr)
	}
}

// A snippet with no root is checked as a fragment, with a warning; a file
// APIM would refuse stays an input error with its place.
func TestLintSnippets(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"snippet.xml": "<set-header name=\"x-trace\" exists-action=\"override\"><value>1</value></set-header>\n<forward-request timeout=\"60\" />\n",
		"stray.xml":   "<set-header name=\"x\"></set-header>\n</value>\n",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	code, stdout, _ := runCLI(t, "", "lint", p("snippet.xml"))
	if code != 1 || !strings.Contains(stdout, "snippet.xml:1:1: warning SSE131") || !strings.Contains(stdout, "snippet.xml:2:1: error SSE101") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "", "lint", p("stray.xml"))
	if code != 2 || !strings.Contains(stdout, "stray.xml:2:1: error: end tag </value> has no matching start tag") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
}
