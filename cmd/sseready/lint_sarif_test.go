package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
)

// checkSARIF checks out against the SARIF 2.1.0 schema (go-sarif's
// Validate, on the log read back) and returns it as plain JSON.
func checkSARIF(t *testing.T, out string) map[string]any {
	t.Helper()
	rep, err := sarif.FromBytes([]byte(out), sarif.WithStrictValidation())
	if err != nil {
		t.Fatalf("not a SARIF log: %v\n%s", err, out)
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v\n%s", err, out)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// at walks plain JSON by keys and indexes; a missing step is nil.
func at(doc any, path ...any) any {
	cur := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := cur.(map[string]any)
			cur = m[k]
		case int:
			a, _ := cur.([]any)
			if k >= len(a) {
				return nil
			}
			cur = a[k]
		}
	}
	return cur
}

func list(v any) []any { a, _ := v.([]any); return a }

func str(v any) string { s, _ := v.(string); return s }

// sarifResult is what a test reads of one result.
type sarifResult struct {
	rule, level, message, uri          string
	line, column                       float64
	suppression, justification, fragOf string // fragOf: the related location's URI
	raw                                any
}

func sarifResults(doc map[string]any) []sarifResult {
	var out []sarifResult
	for _, r := range list(at(doc, "runs", 0, "results")) {
		phys := at(r, "locations", 0, "physicalLocation")
		res := sarifResult{raw: r}
		res.rule = str(at(r, "ruleId"))
		res.level = str(at(r, "level"))
		res.message = str(at(r, "message", "text"))
		res.uri = str(at(phys, "artifactLocation", "uri"))
		res.line, _ = at(phys, "region", "startLine").(float64)
		res.column, _ = at(phys, "region", "startColumn").(float64)
		res.suppression = str(at(r, "suppressions", 0, "kind"))
		res.justification = str(at(r, "suppressions", 0, "justification"))
		res.fragOf = str(at(r, "relatedLocations", 0, "physicalLocation", "artifactLocation", "uri"))
		out = append(out, res)
	}
	return out
}

// An APIOps-like tree, linted from its root with relative paths: every
// finding is a result at its file (relative to the working directory),
// line and column; accepted findings are suppressed, inline ones in
// source, --accept ones externally; a finding in a fragment is at the
// fragment's file, with the including policy as related location.
func TestLintSARIF(t *testing.T) {
	dir := t.TempDir()
	cached := strings.Replace(readyPolicy, "<inbound><base /></inbound>",
		`<inbound><base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" /></inbound>`, 1)
	files := map[string]string{
		"apis/chat/policy.xml":                bufferingPolicy,
		"apis/batch/policy.xml":               strings.Replace(bufferingPolicy, "<backend>", "<!-- sseready:accept SSE101 batch route -->\n  <backend>", 1),
		"apis/cached/policy.xml":              cached,
		"apis/orders/policy.xml":              "<policies>\n  <inbound><base /></inbound>\n  <backend><include-fragment fragment-id=\"forward\" /></backend>\n  <outbound><base /></outbound>\n</policies>\n",
		"apis/ready/policy.xml":               readyPolicy,
		"policy fragments/forward/policy.xml": "<fragment>\n  <forward-request timeout=\"120\" />\n</fragment>\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	args := []string{"--fragment", "forward=policy fragments/forward/policy.xml", "--accept", "SSE120: the cache is keyed per user on purpose",
		"apis/chat/policy.xml", "apis/batch/policy.xml", "apis/cached/policy.xml", "apis/orders/policy.xml", "apis/ready/policy.xml"}
	code, stdout, stderr := runCLI(t, "", append([]string{"lint", "--format", "sarif"}, args...)...)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1 (chat buffers)\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	doc := checkSARIF(t, stdout)

	driver := at(doc, "runs", 0, "tool", "driver")
	if at(driver, "name") != "sseready" || at(driver, "version") != version {
		t.Errorf("driver %v %v, want sseready %s", at(driver, "name"), at(driver, "version"), version)
	}
	if got := list(at(driver, "rules")); len(got) != len(rules.All()) {
		t.Errorf("%d rules, want the catalogue's %d", len(got), len(rules.All()))
	}
	if r := list(at(driver, "rules"))[1]; at(r, "id") != "SSE101" || at(r, "helpUri") != sarifreport.RulesGuideURL+"#sse101" ||
		at(r, "defaultConfiguration", "level") != "error" || at(r, "help", "text") != rules.MustLookup("SSE101").Fix {
		t.Errorf("rule SSE101: %v", r)
	}
	if at(doc, "runs", 0, "invocations", 0, "executionSuccessful") != true {
		t.Error("the run read every input: executionSuccessful must be true")
	}
	wd, _ := os.Getwd()
	if base := str(at(doc, "runs", 0, "originalUriBaseIds", "%SRCROOT%", "uri")); !strings.HasPrefix(base, "file:///") || !strings.HasSuffix(base, "/") ||
		!strings.HasSuffix(strings.TrimSuffix(base, "/"), filepath.ToSlash(filepath.Base(wd))) {
		t.Errorf("%%SRCROOT%% %q for %s", base, wd)
	}

	// The same run as text: one result per finding, at the same place.
	_, text, _ := runCLI(t, "", append([]string{"lint"}, args...)...)
	results := sarifResults(doc)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(results) != len(lines) {
		t.Fatalf("%d results for %d findings:\n%s", len(results), len(lines), text)
	}
	for i, r := range results {
		file := strings.ReplaceAll(r.uri, "%20", " ")
		prefix := file + ":" + itoa(r.line) + ":" + itoa(r.column) + ": "
		if !strings.HasPrefix(lines[i], prefix) || !strings.Contains(lines[i], " "+r.rule+": "+r.message) {
			t.Errorf("result %d %s %s:%v:%v does not match the text finding\n%s", i, r.rule, r.uri, r.line, r.column, lines[i])
		}
	}

	find := func(uri, rule string) sarifResult {
		t.Helper()
		for _, r := range results {
			if r.uri == uri && r.rule == rule {
				return r
			}
		}
		t.Fatalf("no %s result in %s; results: %+v", rule, uri, results)
		return sarifResult{}
	}
	chat := find("apis/chat/policy.xml", "SSE101")
	if chat.level != "error" || chat.line != 3 || chat.column != 12 || chat.suppression != "" ||
		at(chat.raw, "locations", 0, "physicalLocation", "artifactLocation", "uriBaseId") != "%SRCROOT%" ||
		at(chat.raw, "properties", "element") != "forward-request" || !strings.Contains(chat.message, `add buffer-response="false"`) {
		t.Errorf("chat: %+v", chat)
	}
	batch := find("apis/batch/policy.xml", "SSE101")
	if batch.level != "error" || batch.line != 4 || batch.suppression != "inSource" || batch.justification != "batch route" ||
		at(batch.raw, "suppressions", 0, "status") != "accepted" {
		t.Errorf("inline acceptance: %+v", batch)
	}
	cache := find("apis/cached/policy.xml", "SSE120")
	if cache.level != "error" || cache.suppression != "external" || cache.justification != "the cache is keyed per user on purpose" {
		t.Errorf("--accept: %+v", cache)
	}
	frag := find("policy%20fragments/forward/policy.xml", "SSE101")
	if frag.line != 2 || frag.column != 3 || frag.fragOf != "apis/orders/policy.xml" || at(frag.raw, "properties", "fragment") != "forward" ||
		!strings.Contains(str(at(frag.raw, "relatedLocations", 0, "message", "text")), `fragment "forward"`) {
		t.Errorf("fragment: %+v", frag)
	}
	for _, r := range results {
		if strings.HasPrefix(r.uri, "apis/ready/") {
			t.Errorf("the ready policy has a result: %+v", r)
		}
	}
}

func itoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Inputs that cannot be read or parsed are notifications of an
// unsuccessful run, with their place; the other files' findings are still
// results, and the exit status is still 2.
func TestLintSARIFInputErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"broken.xml": brokenXML, "buffering.xml": bufferingPolicy,
		"api.xml":      "<policies>\n  <backend><include-fragment fragment-id=\"f\" /></backend>\n</policies>\n",
		"fragment.xml": "<fragment>\n  <forward-request>\n</fragment>\n"})
	p := func(name string) string { return filepath.Join(dir, name) }

	code, stdout, _ := runCLI(t, "", "lint", "--format", "sarif", p("buffering.xml"), p("broken.xml"), p("missing.xml"))
	if code != exitInput {
		t.Fatalf("exit %d, want 2", code)
	}
	doc := checkSARIF(t, stdout)
	inv := at(doc, "runs", 0, "invocations", 0)
	if at(inv, "executionSuccessful") != false {
		t.Errorf("executionSuccessful must be false: %v", inv)
	}
	notes := list(at(inv, "toolExecutionNotifications"))
	if len(notes) != 2 {
		t.Fatalf("%d notifications, want broken.xml and missing.xml: %v", len(notes), notes)
	}
	broken := notes[0]
	uri := str(at(broken, "locations", 0, "physicalLocation", "artifactLocation", "uri"))
	if at(broken, "level") != "error" || !strings.HasSuffix(uri, "/broken.xml") ||
		at(broken, "locations", 0, "physicalLocation", "region", "startLine") != 3.0 ||
		at(broken, "locations", 0, "physicalLocation", "region", "startColumn") != 1.0 ||
		!strings.HasPrefix(str(at(broken, "message", "text")), "end tag </policies> found while <inbound> is still open") {
		t.Errorf("broken.xml: %v", broken)
	}
	missing := notes[1]
	if uri := str(at(missing, "locations", 0, "physicalLocation", "artifactLocation", "uri")); !strings.HasSuffix(uri, "/missing.xml") ||
		at(missing, "locations", 0, "physicalLocation", "region") != nil || !strings.HasPrefix(str(at(missing, "message", "text")), "cannot read:") {
		t.Errorf("missing.xml: %v", missing)
	}
	if rs := sarifResults(doc); len(rs) != 1 || rs[0].rule != "SSE101" || !strings.HasSuffix(rs[0].uri, "/buffering.xml") {
		t.Errorf("the readable file's findings: %+v", rs)
	}

	// A fragment that does not parse: the run stops before the files,
	// and the log says where.
	code, stdout, stderr := runCLI(t, "", "lint", "--format", "sarif", "--fragment", "f="+p("fragment.xml"), p("api.xml"))
	if code != exitInput || !strings.Contains(stderr, `fragment "f"`) {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	doc = checkSARIF(t, stdout)
	n := at(doc, "runs", 0, "invocations", 0, "toolExecutionNotifications", 0)
	if uri := str(at(n, "locations", 0, "physicalLocation", "artifactLocation", "uri")); !strings.HasSuffix(uri, "/fragment.xml") ||
		at(n, "locations", 0, "physicalLocation", "region", "startLine") != 3.0 || !strings.HasPrefix(str(at(n, "message", "text")), `fragment "f": end tag </fragment>`) {
		t.Errorf("fragment notification: %v", n)
	}
	if len(sarifResults(doc)) != 0 {
		t.Error("results although no file was checked")
	}

	// A usage error is no run: nothing on standard output.
	if code, stdout, _ := runCLI(t, "", "lint", "--format", "sarif"); code != exitInput || stdout != "" {
		t.Errorf("no FILE: exit %d, stdout %q", code, stdout)
	}
}

// Standard input has no URI; with --fix the log goes to standard error,
// since the fixed document owns standard output.
func TestLintSARIFStdinAndFix(t *testing.T) {
	code, stdout, _ := runCLI(t, bufferingPolicy, "lint", "--format", "sarif", "-")
	if code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	doc := checkSARIF(t, stdout)
	a := at(doc, "runs", 0, "results", 0, "locations", 0, "physicalLocation", "artifactLocation")
	if at(a, "uri") != nil || at(a, "description", "text") != "standard input" {
		t.Errorf("stdin artifact %v", a)
	}
	src := strings.Replace(bufferingPolicy, "<outbound><base />", `<outbound><base /><cache-store duration="10" />`, 1)
	code, stdout, stderr := runCLI(t, src, "lint", "--fix", "--format", "sarif", "-")
	if code != exitFindings || !strings.Contains(stdout, `buffer-response="false"`) {
		t.Fatalf("exit %d\nstdout %s", code, stdout)
	}
	if rs := sarifResults(checkSARIF(t, stderr)); len(rs) != 1 || rs[0].rule != "SSE120" {
		t.Errorf("what the fix leaves: %+v", rs)
	}
}

// The driver's version is the build's (-X main.version, as the Makefile
// and goreleaser set it).
func TestLintSARIFBuildVersion(t *testing.T) {
	bin := builtCLI(t)
	dir := writeFiles(t, map[string]string{"ready.xml": readyPolicy})
	out, err := exec.Command(bin, "lint", "--format", "sarif", filepath.Join(dir, "ready.xml")).Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	doc := checkSARIF(t, string(out))
	if v := at(doc, "runs", 0, "tool", "driver", "version"); v != builtVersion {
		t.Errorf("driver version %v", v)
	}
	if rs := list(at(doc, "runs", 0, "results")); rs == nil || len(rs) != 0 {
		t.Errorf("a ready file: results %v (want an empty list, which code scanning requires)", rs)
	}
}
