package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The most common finding on public LLM policies is SSE102 on an API
// policy whose <backend> only says <base />: right under APIM's default
// global policy, wrong under one that streams. --global settles it.
func TestLintUnderGlobalAndProduct(t *testing.T) {
	const apiBase = "<policies>\n  <inbound><base /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n"
	const streamingGlobal = "<policies>\n  <inbound />\n  <backend><forward-request timeout=\"120\" buffer-response=\"false\" /></backend>\n  <outbound />\n  <on-error />\n</policies>\n"
	const bufferingGlobal = "<policies>\n  <inbound />\n  <backend><forward-request timeout=\"120\" /></backend>\n  <outbound />\n  <on-error />\n</policies>\n"
	const cachingProduct = "<policies>\n  <inbound><base /></inbound>\n  <backend><base /></backend>\n  <outbound><base /><cache-store duration=\"60\" /></outbound>\n  <on-error><base /></on-error>\n</policies>\n"
	dir := writeFiles(t, map[string]string{"api.xml": apiBase, "api2.xml": apiBase, "streaming.xml": streamingGlobal, "buffering.xml": bufferingGlobal, "product.xml": cachingProduct})
	p := func(n string) string { return filepath.Join(dir, n) }

	// Alone, the API policy is blamed for what it inherits.
	code, out, _ := runCLI(t, "", "lint", p("api.xml"))
	if code != 1 || !strings.Contains(out, "api.xml:3:12: error SSE102") {
		t.Fatalf("alone: exit %d\n%s", code, out)
	}
	// Under a global policy that streams, it is ready.
	code, out, errOut := runCLI(t, "", "lint", "--global", p("streaming.xml"), p("api.xml"))
	if code != 0 || strings.Contains(out, "SSE102") {
		t.Fatalf("under a streaming global: exit %d\n%s%s", code, out, errOut)
	}
	// Under one that buffers, the global's forward-request is the error,
	// reported once at the global's file however many FILEs share it.
	code, out, _ = runCLI(t, "", "lint", "--global", p("buffering.xml"), p("api.xml"), p("api2.xml"))
	if code != 1 || strings.Count(out, "buffering.xml:3:12: error SSE101") != 1 || strings.Contains(out, "api.xml:") {
		t.Fatalf("under a buffering global: exit %d\n%s", code, out)
	}
	// A product's caching runs on the API's path; with no --global the
	// API's <base /> inherits APIM's default, which buffers.
	code, out, _ = runCLI(t, "", "lint", "--format", "json", "--product", p("product.xml"), p("api.xml"))
	var files []jsonFile
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string][]string{}
	for _, f := range files {
		for _, fd := range f.Findings {
			got[filepath.Base(f.File)] = append(got[filepath.Base(f.File)], fd.Rule+" "+string(fd.Severity))
		}
	}
	if code != 1 || strings.Join(got["product.xml"], ",") != "SSE102 error,SSE120 error" || len(got["api.xml"]) != 0 {
		t.Fatalf("under a product: exit %d, %v\n%s", code, got, out)
	}
	if !strings.Contains(out, "no --global policy is given") {
		t.Errorf("the default's finding does not say why: %s", out)
	}
}

func TestLintScopesAboveErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"api.xml": readyPolicy, "frag.xml": "<fragment><base /></fragment>", "broken.xml": "<policies><inbound></policies>"})
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--global", p("api.xml"), "--fix", p("api.xml")}, "--fix and -w fix one document on its own"},
		{[]string{"--global", p("api.xml"), "--scope", "operation", p("api.xml")}, "lint the API policy (--scope api) or the whole APIOps tree"},
		{[]string{"--product", p("api.xml"), "--scope", "product", p("api.xml")}, "--product composes with an API's policy"},
		{[]string{"--global", p("missing.xml"), p("api.xml")}, "--global: open"},
		{[]string{"--global", p("broken.xml"), p("api.xml")}, "--global " + p("broken.xml") + ":1:"},
		{[]string{"--global", p("frag.xml"), p("api.xml")}, "a global policy is a <policies> document"},
		{[]string{"--global", p("api.xml"), dir}, "is an APIOps tree, which holds its own global and product policies"},
	} {
		code, _, errOut := runCLI(t, "", append([]string{"lint"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	// A fragment given as FILE is an input error of that file.
	code, out, _ := runCLI(t, "", "lint", "--global", p("api.xml"), p("frag.xml"))
	if code != 2 || !strings.Contains(out, "FILE must be a <policies> document") {
		t.Errorf("fragment FILE: exit %d\n%s", code, out)
	}
}
