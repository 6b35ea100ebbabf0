package sarifreport

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// build makes the log, writes it, and checks the bytes against the SARIF
// 2.1.0 schema (the library's Validate, on the log read back), returning
// them decoded as plain JSON.
func build(t *testing.T, l Log) map[string]any {
	t.Helper()
	rep, err := Build(l)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	back, err := sarif.FromBytes(buf.Bytes(), sarif.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Fatalf("not SARIF 2.1.0: %v\n%s", err, buf.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// get walks doc by keys and indexes: get(doc, "runs", 0, "tool").
func get(t *testing.T, doc any, path ...any) any {
	t.Helper()
	cur := doc
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %v", path, path[:i])
			}
			if cur, ok = m[k]; !ok {
				t.Fatalf("%v: no %q at %v (keys: %v)", path, k, path[:i], keys(m))
			}
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v: no index %d at %v", path, k, path[:i])
			}
			cur = a[k]
		}
	}
	return cur
}

func arr(t *testing.T, v any) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("not an array: %v", v)
	}
	return a
}

func str(t *testing.T, v any) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("not a string: %v", v)
	}
	return s
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func has(doc any, key string) bool {
	m, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[key]
	return ok
}

func TestRulesAreTheCatalogue(t *testing.T) {
	doc := build(t, Log{ToolName: "sseready", Version: "1.2.3"})
	if v := get(t, doc, "version"); v != "2.1.0" {
		t.Errorf("version %v", v)
	}
	driver := get(t, doc, "runs", 0, "tool", "driver")
	if get(t, driver, "name") != "sseready" || get(t, driver, "version") != "1.2.3" {
		t.Errorf("driver %v %v", get(t, driver, "name"), get(t, driver, "version"))
	}
	got := arr(t, get(t, driver, "rules"))
	all := rules.All()
	if len(got) != len(all) {
		t.Fatalf("%d rules, want one per catalogue entry (%d)", len(got), len(all))
	}
	wantLevel := map[rules.Severity]string{rules.Error: "error", rules.Warning: "warning", rules.Info: "note"}
	for i, r := range all {
		d := got[i]
		for _, c := range []struct {
			path []any
			want any
		}{
			{[]any{"id"}, r.ID},
			{[]any{"name"}, r.Name},
			{[]any{"shortDescription", "text"}, r.Summary},
			{[]any{"fullDescription", "text"}, r.Why},
			{[]any{"help", "text"}, r.Fix},
			{[]any{"helpUri"}, RulesGuideURL + "#" + strings.ToLower(r.ID)},
			{[]any{"defaultConfiguration", "level"}, wantLevel[r.Severity]},
		} {
			if v := get(t, d, c.path...); v != c.want {
				t.Errorf("%s %v = %q, want %q", r.ID, c.path, v, c.want)
			}
		}
		if md := str(t, get(t, d, "help", "markdown")); !strings.Contains(md, r.Fix) || !strings.Contains(md, HelpURI(r.ID)) {
			t.Errorf("%s help markdown %q", r.ID, md)
		}
	}
	if HelpURI("SSE101") != "https://registry.terraform.io/providers/sseready/sseready/latest/docs/guides/sse-rules#sse101" {
		t.Errorf("help URI %s", HelpURI("SSE101"))
	}
	inv := get(t, doc, "runs", 0, "invocations", 0)
	if get(t, inv, "executionSuccessful") != true || len(arr(t, get(t, inv, "toolExecutionNotifications"))) != 0 {
		t.Errorf("invocation %v", inv)
	}
	if get(t, doc, "runs", 0, "columnKind") != "unicodeCodePoints" {
		t.Error("columnKind")
	}
}

func TestResults(t *testing.T) {
	work := filepath.FromSlash("/work/repo")
	buffers := rules.MustLookup(rules.ForwardRequestBuffers)
	accepted := buffers.Finding(3, 12, "forward-request", "forward-request has no buffer-response")
	accepted.Accept("the batch API never streams", "by --accept")
	inline := buffers.Finding(4, 3, "forward-request", "in the fragment")
	inline.Fragment = "forward"
	inline.Accept("batch route", "by the comment at line 3, column 3")
	info := rules.MustLookup(rules.ForwardRequestBuffers).Finding(7, 5, "forward-request", "a branch non-streaming requests take")
	info.Severity = rules.Info
	whole := rules.MustLookup(rules.NotAPolicyDocument).Finding(0, 0, "", "no root")
	attr := buffers.Finding(2, 9, "forward-request", "on an attribute")
	attr.Attribute = "buffer-response"

	doc := build(t, Log{ToolName: "sseready", Version: "dev", WorkDir: work, Results: []Result{
		{Finding: buffers.Finding(3, 12, "forward-request", "error finding"), At: Location{File: filepath.Join(work, "apis", "chat", "policy.xml"), Line: 3, Column: 12},
			Properties: map[string]any{"element": "forward-request", "paths": []string{"api chat"}}},
		{Finding: accepted, At: Location{File: "apis/chat/policy.xml", Line: 3, Column: 12}},
		{Finding: inline, At: Location{File: filepath.Join(work, "policy fragments", "forward", "policy.xml"), Line: 4, Column: 3},
			Related: []Location{{File: "apis/chat/policy.xml", Note: "the policy that includes fragment forward"}}, AcceptedBy: InSource},
		{Finding: info, At: Location{File: filepath.FromSlash("/elsewhere/p.xml"), Line: 7, Column: 5}},
		{Finding: whole, At: Location{File: "snippet.xml"}},
		{Finding: attr, At: Location{File: Stdin, Line: 2, Column: 9}},
		{Finding: buffers.Finding(0, 0, "", "a plan finding"), At: Location{Address: "azurerm_api_management_api_policy.chat"}},
		{Finding: buffers.Finding(0, 0, "", "both"), At: Location{File: "plan.json", Address: "module.apim.azurerm_api_management_api_policy.chat[\"x\"]", AddressKind: "object"}},
	}})
	run := get(t, doc, "runs", 0)
	if base := get(t, run, "originalUriBaseIds", SourceRoot, "uri"); base != "file:///work/repo/" {
		t.Errorf("source root %v", base)
	}
	res := arr(t, get(t, run, "results"))
	if len(res) != 8 {
		t.Fatalf("%d results", len(res))
	}
	ruleIndex := func(id string) float64 {
		for i, r := range arr(t, get(t, run, "tool", "driver", "rules")) {
			if get(t, r, "id") == id {
				return float64(i)
			}
		}
		return -1
	}
	phys := func(i int) any { return get(t, res[i], "locations", 0, "physicalLocation") }

	// An error: its rule, level, message, place relative to the work dir.
	if get(t, res[0], "ruleId") != "SSE101" || get(t, res[0], "ruleIndex") != ruleIndex("SSE101") ||
		get(t, res[0], "level") != "error" || get(t, res[0], "message", "text") != "error finding" {
		t.Errorf("result 0: %v", res[0])
	}
	if get(t, phys(0), "artifactLocation", "uri") != "apis/chat/policy.xml" || get(t, phys(0), "artifactLocation", "uriBaseId") != SourceRoot ||
		get(t, phys(0), "region", "startLine") != 3.0 || get(t, phys(0), "region", "startColumn") != 12.0 {
		t.Errorf("result 0 location: %v", phys(0))
	}
	if has(res[0], "suppressions") {
		t.Errorf("an error is not suppressed: %v", res[0])
	}
	// The properties given, as they are; none given, none written.
	if p := get(t, res[0], "properties"); get(t, p, "element") != "forward-request" || str(t, arr(t, get(t, p, "paths"))[0]) != "api chat" || has(p, "hop") {
		t.Errorf("properties %v", p)
	}
	if has(res[1], "properties") {
		t.Errorf("properties written that were not given: %v", res[1])
	}
	// Accepted by --accept: the rule's level, an external suppression.
	if get(t, res[1], "level") != "error" || get(t, res[1], "suppressions", 0, "kind") != "external" ||
		get(t, res[1], "suppressions", 0, "status") != "accepted" || get(t, res[1], "suppressions", 0, "justification") != "the batch API never streams" {
		t.Errorf("result 1: %v", res[1])
	}
	if get(t, phys(1), "artifactLocation", "uri") != "apis/chat/policy.xml" {
		t.Errorf("a relative path stays relative: %v", phys(1))
	}
	// Accepted inline, in a fragment: in source, the fragment's file
	// (escaped), the including policy as related location.
	if get(t, res[2], "suppressions", 0, "kind") != "inSource" || get(t, res[2], "suppressions", 0, "justification") != "batch route" ||
		get(t, phys(2), "artifactLocation", "uri") != "policy%20fragments/forward/policy.xml" {
		t.Errorf("result 2: %v", res[2])
	}
	if rel := get(t, res[2], "relatedLocations", 0); get(t, rel, "message", "text") != "the policy that includes fragment forward" ||
		get(t, rel, "physicalLocation", "artifactLocation", "uri") != "apis/chat/policy.xml" || has(get(t, rel, "physicalLocation"), "region") {
		t.Errorf("related %v", rel)
	}
	// Info is a note; a file outside the work dir is a file URI.
	if get(t, res[3], "level") != "note" || get(t, phys(3), "artifactLocation", "uri") != "file:///elsewhere/p.xml" || has(get(t, phys(3), "artifactLocation"), "uriBaseId") {
		t.Errorf("result 3: %v", res[3])
	}
	// Line 0: no region.
	if has(phys(4), "region") || get(t, res[4], "level") != "warning" {
		t.Errorf("result 4: %v", res[4])
	}
	// Standard input: no URI, a description.
	if a := get(t, phys(5), "artifactLocation"); has(a, "uri") || get(t, a, "description", "text") != "standard input" {
		t.Errorf("stdin: %v", a)
	}
	// A logical location alone, and with a file.
	if l := get(t, res[6], "locations", 0); has(l, "physicalLocation") ||
		get(t, l, "logicalLocations", 0, "fullyQualifiedName") != "azurerm_api_management_api_policy.chat" || get(t, l, "logicalLocations", 0, "kind") != "resource" {
		t.Errorf("logical: %v", l)
	}
	if l := get(t, res[7], "locations", 0); get(t, l, "physicalLocation", "artifactLocation", "uri") != "plan.json" ||
		get(t, l, "logicalLocations", 0, "kind") != "object" {
		t.Errorf("both: %v", l)
	}
}

func TestProblems(t *testing.T) {
	doc := build(t, Log{ToolName: "sseready", Version: "dev", WorkDir: "/w", Problems: []Problem{
		{At: Location{File: "/w/broken.xml", Line: 3, Column: 1}, Message: "end tag </policies> found while <inbound> is still open"},
		{At: Location{File: "missing.xml"}, Message: "cannot read"},
		{Message: "no place"},
	}})
	inv := get(t, doc, "runs", 0, "invocations", 0)
	if get(t, inv, "executionSuccessful") != false {
		t.Errorf("execution successful with problems: %v", inv)
	}
	n := arr(t, get(t, inv, "toolExecutionNotifications"))
	if len(n) != 3 {
		t.Fatalf("%d notifications", len(n))
	}
	if get(t, n[0], "level") != "error" || get(t, n[0], "message", "text") != "end tag </policies> found while <inbound> is still open" ||
		get(t, n[0], "locations", 0, "physicalLocation", "artifactLocation", "uri") != "broken.xml" ||
		get(t, n[0], "locations", 0, "physicalLocation", "region", "startLine") != 3.0 {
		t.Errorf("notification 0: %v", n[0])
	}
	if len(arr(t, get(t, n[2], "locations"))) != 0 {
		t.Errorf("notification 2: %v", n[2])
	}
	if len(arr(t, get(t, doc, "runs", 0, "results"))) != 0 {
		t.Error("results")
	}
}

func TestBuildRefuses(t *testing.T) {
	for name, l := range map[string]Log{
		"unknown rule": {Results: []Result{{Finding: rules.Finding{Rule: "SSE999"}, At: Location{File: "a.xml"}}}},
		"no place":     {Results: []Result{{Finding: rules.MustLookup(rules.ForwardRequestBuffers).Finding(1, 1, "", "x")}}},
	} {
		if _, err := Build(l); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestURIs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"apis/chat;rev=2/policy.xml", "apis/chat%3Brev=2/policy.xml"},
		{"c:x/policy.xml", "c%3Ax/policy.xml"},
		{"a b/é.xml", "a%20b/%C3%A9.xml"},
	} {
		if got := relativeURI(filepath.FromSlash(c.in)); got != c.want {
			t.Errorf("relativeURI(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := fileURI("/tmp/a b.xml"); got != "file:///tmp/a%20b.xml" {
		t.Errorf("fileURI %q", got)
	}
}

// <, > and & are written as they are, in messages and in properties
// (which go-sarif encodes escaped); an escaped backslash before "u003c"
// stays an escaped backslash.
func TestWriteKeepsMarkup(t *testing.T) {
	f := rules.MustLookup(rules.ResponseCaching).Finding(6, 5, "cache-store", `<cache-store> & "x" > y`)
	rep, err := Build(Log{ToolName: "sseready", Version: "dev", Results: []Result{{Finding: f, At: Location{File: "p.xml", Line: 6, Column: 5},
		Properties: map[string]any{"paths": []string{"product p > api chat"}, "evidence": `<!-- sseready:streams --> \u003c`}}}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"text": "<cache-store> & \"x\" > y"`, `"product p > api chat"`, `"<!-- sseready:streams --> \\u003c"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, `\u003e`) || strings.Contains(out, `\u0026`) {
		t.Errorf("markup escaped:\n%s", out)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := get(t, doc, "runs", 0, "results", 0, "properties", "evidence"); got != `<!-- sseready:streams --> \u003c` {
		t.Errorf("evidence read back %q", got)
	}
}
