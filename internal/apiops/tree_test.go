package apiops

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// writeTree lays files out under a temporary root, as the APIOps
// extractor would (paths use "/").
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

const (
	globalStreams = "<policies>\n  <inbound><base /></inbound>\n  <backend>\n    <forward-request timeout=\"120\" buffer-response=\"false\" />\n  </backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n"
	inheritsAll   = "<policies>\n  <inbound><base /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n"
	validates     = "<policies>\n  <inbound><base /></inbound>\n  <backend><base /></backend>\n  <outbound>\n    <base />\n    <validate-content unspecified-content-type-action=\"prevent\" max-size=\"1\" size-exceeded-action=\"prevent\" />\n  </outbound>\n  <on-error><base /></on-error>\n</policies>\n"
	includes      = "<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id=\"cache\" />\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n"
	cacheFragment = "<fragment>\n  <cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" />\n</fragment>\n"
)

func summarize(r Report) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s [%s]", f.File, f.Line, f.Column, f.Rule, f.Severity, strings.Join(f.Paths, "; ")))
	}
	return strings.Join(out, "\n")
}

func rel(root string, r Report) Report {
	for i := range r.Findings {
		if p, err := filepath.Rel(root, r.Findings[i].File); err == nil {
			r.Findings[i].File = filepath.ToSlash(p)
		}
	}
	return r
}

// Every path is composed as APIM runs it: a <base /> under a streaming
// global policy streams; a finding is reported once, at the file that
// holds it, with the paths it was found on; fragments resolve against
// the tree's; diagnostics are checked per API, a global one overridden
// by an API one for the same logger.
func TestCheckTree(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                  globalStreams,
		"products/starter/policy.xml": inheritsAll,
		"products/starter/apis/chat/productApiInformation.json":                  "{}",
		"apis/chat/apiInformation.json":                                          "{}",
		"apis/chat/policy.xml":                                                   validates,
		"apis/chat/operations/stream/policy.xml":                                 inheritsAll,
		"apis/chat/operations/batch/policy.xml":                                  inheritsAll,
		"apis/chat;rev=2/policy.xml":                                             includes,
		"apis/orders/policy.xml":                                                 inheritsAll,
		"policy fragments/cache/policy.xml":                                      cacheFragment,
		"diagnostics/applicationinsights/diagnosticInformation.json":             `{"properties": {"loggerId": "/loggers/ai", "frontend": {"response": {"body": {"bytes": 1024}}}}}`,
		"apis/orders/diagnostics/applicationinsights/diagnosticInformation.json": `{"properties": {"loggerId": "/loggers/ai", "frontend": {"request": {"body": {"bytes": 0}}}}}`,
		"diagnostics/local/diagnosticInformation.json":                           `{}`,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	want := strings.Join([]string{
		"apis/chat/policy.xml:6:5 SSE110 error [product starter > api chat > operation batch; product starter > api chat > operation stream]",
		// At the key that logs the bodies; on every path of the APIs it
		// applies to (orders overrides it with its own).
		"diagnostics/applicationinsights/diagnosticInformation.json:1:79 SSE202 error [product starter > api chat > operation batch; product starter > api chat > operation stream; product starter > api chat;rev=2]",
		"policy fragments/cache/policy.xml:2:3 SSE120 error [product starter > api chat;rev=2]",
	}, "\n")
	if got := summarize(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	if r.Paths != 4 || r.Ready() {
		t.Errorf("paths %d, ready %v", r.Paths, r.Ready())
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], `the diagnostic "local" is not applicationinsights or azuremonitor`) {
		t.Errorf("notes %q", r.Notes)
	}
}

// With no global policy.xml, APIM's global default stands above: an API
// whose <backend> only says <base /> buffers, reported at that <base />.
func TestCheckTreeWithoutGlobalPolicy(t *testing.T) {
	root := writeTree(t, map[string]string{
		"apis/chat/policy.xml":                   inheritsAll,
		"apis/chat/operations/stream/policy.xml": inheritsAll,
		"products/empty/policy.xml":              "<policies>\n  <inbound><cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" /></inbound>\n</policies>\n",
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	want := strings.Join([]string{
		"apis/chat/policy.xml:3:12 SSE102 error [api chat > operation stream]",
		// The product holds no API: checked on its own.
		"products/empty/policy.xml:1:1 SSE103 warning []",
		"products/empty/policy.xml:2:12 SSE120 error []",
	}, "\n")
	if got := summarize(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(r.Findings[0].Message, "APIM's global default <forward-request/> (the tree has no global policy.xml)") {
		t.Errorf("message %q", r.Findings[0].Message)
	}
}

// What cannot be read or parsed is an error naming the file (and place);
// the rest of the tree is still loaded and checked.
func TestLoadErrors(t *testing.T) {
	if _, errs := Load(t.TempDir()); len(errs) != 1 || !strings.Contains(errs[0].Error(), "not an APIOps tree") {
		t.Fatalf("empty folder: %v", errs)
	}
	root := writeTree(t, map[string]string{
		"policy.xml":                                  globalStreams,
		"apis/chat/policy.xml":                        "<policies>\n  <backend>\n</policies>\n",
		"apis/orders/policy.xml":                      validates,
		"apis/orders/diagnostics/azuremonitor/x.json": "{}",
	})
	tree, errs := Load(root)
	var got []string
	for _, err := range errs {
		var le *LoadError
		if !errors.As(err, &le) {
			t.Fatalf("%T %v", err, err)
		}
		got = append(got, strings.TrimPrefix(err.Error(), root+string(filepath.Separator)))
	}
	want := []string{
		"apis/chat/policy.xml:3:1: end tag </policies> found while <backend> is still open",
		"apis/orders/diagnostics/azuremonitor: the folder has no diagnosticInformation.json",
	}
	if len(got) != len(want) || !strings.HasPrefix(got[0], want[0]) || got[1] != want[1] {
		t.Fatalf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var se *apimpolicy.SyntaxError
	if !errors.As(errs[0], &se) || se.Pos.Line != 3 {
		t.Fatalf("the parse error is not a SyntaxError with its place: %v", errs[0])
	}
	// The rest is checked: orders' validate-content is found.
	if s := summarize(rel(root, tree.Check(apimcheck.Options{}))); !strings.Contains(s, "apis/orders/policy.xml:6:5 SSE110 error [api orders]") {
		t.Fatalf("the rest of the tree was not checked:\n%s", s)
	}
}

// A workspace holds the same layout; its paths run the service's global
// policy, then the workspace's.
func TestWorkspaces(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                                        globalStreams,
		"workspaces/team/policy.xml":                        "<policies>\n  <backend>\n    <forward-request timeout=\"60\" />\n  </backend>\n</policies>\n",
		"workspaces/team/apis/llm/policy.xml":               inheritsAll,
		"workspaces/team/policy fragments/cache/policy.xml": cacheFragment,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	// The workspace's fragment is included nowhere: info.
	want := "workspaces/team/policy fragments/cache/policy.xml:2:3 SSE120 info []\n" +
		"workspaces/team/policy.xml:3:5 SSE101 error [workspace team > api llm]"
	if got := summarize(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
}

// A fragment included on a path is checked there, in its section, and
// not again on its own: its set-body rewrites the request in <inbound>.
func TestIncludedFragmentNotCheckedAlone(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                          globalStreams,
		"apis/chat/policy.xml":                strings.Replace(includes, `fragment-id="cache"`, `fragment-id="rewrite"`, 1),
		"policy fragments/rewrite/policy.xml": "<fragment>\n  <set-body>x</set-body>\n</fragment>\n",
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if r := tree.Check(apimcheck.Options{}); len(r.Findings) != 0 {
		t.Fatalf("findings\n%s", summarize(rel(root, r)))
	}
}
