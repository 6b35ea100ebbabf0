package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree lays an APIOps tree out under a temporary root.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const treeAPIInherits = "<policies>\n  <inbound><base /></inbound>\n  <backend><base /></backend>\n  <outbound>\n    <base />\n    <cache-store duration=\"60\" />\n  </outbound>\n</policies>\n"

// lint DIR checks an APIOps tree path by path: a <base /> backend under a
// streaming global policy is fine, and a finding names its file and the
// paths it was found on.
func TestLintAPIOpsTree(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                                            readyPolicy,
		"apis/chat/policy.xml":                                  treeAPIInherits,
		"apis/chat/operations/stream/policy.xml":                "<policies><backend><base /></backend><outbound><base /></outbound></policies>",
		"apis/chat/operations/batch/policy.xml":                 "<policies><backend><base /></backend><outbound><base /></outbound></policies>",
		"products/starter/apis/chat/productApiInformation.json": "{}",
	})
	code, stdout, stderr := runCLI(t, "", "lint", root)
	want := filepath.Join(root, "apis", "chat", "policy.xml") + ":6:5: error SSE120: cache-store caches whole responses"
	if code != 1 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "[on product starter > api chat > operation batch, and 1 more path]") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "SSE102") || !strings.Contains(stderr, "2 request paths checked") {
		t.Fatalf("the inherited <backend> streams under the global policy:\n%s\n%s", stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "", "lint", "--format", "json", "--accept", "SSE120: cached on purpose", root)
	var out []jsonFile
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 {
		t.Fatalf("exit %d %v\n%s", code, err, stdout)
	}
	if f := out[0].Findings[0]; f.Severity != "accepted" || len(f.Paths) != 2 || f.Paths[0] != "product starter > api chat > operation batch" {
		t.Fatalf("finding %+v", f)
	}
}

func TestLintAPIOpsTreeErrors(t *testing.T) {
	// Not a tree: said, exit 2.
	empty := t.TempDir()
	if code, stdout, _ := runCLI(t, "", "lint", empty); code != 2 || !strings.Contains(stdout, "not an APIOps tree") {
		t.Fatalf("empty folder: exit %d %s", code, stdout)
	}
	// A file that does not parse: file:line:col, exit 2, the rest checked.
	root := writeTree(t, map[string]string{
		"policy.xml":             "<policies>\n  <backend>\n</policies>\n",
		"apis/orders/policy.xml": treeAPIInherits,
	})
	code, stdout, _ := runCLI(t, "", "lint", root)
	if code != 2 || !strings.Contains(stdout, filepath.Join(root, "policy.xml")+":3:1: error: end tag </policies> found while <backend> is still open") ||
		!strings.Contains(stdout, filepath.Join(root, "apis", "orders", "policy.xml")+":6:5: error SSE120") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runCLI(t, "", "lint", "-w", root); code != 2 || !strings.Contains(stderr, "is an APIOps tree, checked path by path") {
		t.Fatalf("-w on a tree: exit %d %s", code, stderr)
	}
	// SARIF of a tree holds each file's results.
	code, stdout, _ = runCLI(t, "", "lint", "--format", "sarif", root)
	if code != 2 || !strings.Contains(stdout, `"ruleId": "SSE120"`) || !strings.Contains(stdout, `"executionSuccessful": false`) {
		t.Fatalf("sarif: exit %d\n%s", code, stdout)
	}
}
