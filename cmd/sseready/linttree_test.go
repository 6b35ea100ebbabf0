package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/report"
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
// paths it was found on. The API is named as streaming (--stream-api), so
// its errors stay errors.
func TestLintAPIOpsTree(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                                            readyPolicy,
		"apis/chat/policy.xml":                                  treeAPIInherits,
		"apis/chat/operations/stream/policy.xml":                "<policies><backend><base /></backend><outbound><base /></outbound></policies>",
		"apis/chat/operations/batch/policy.xml":                 "<policies><backend><base /></backend><outbound><base /></outbound></policies>",
		"products/starter/apis/chat/productApiInformation.json": "{}",
	})
	code, stdout, stderr := runCLI(t, "", "lint", "--stream-api", "chat", root)
	want := filepath.Join(root, "apis", "chat", "policy.xml") + ":6:5: error SSE120: cache-store caches whole responses"
	if code != 1 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "[on product starter > api chat > operation batch, and 1 more path]") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "SSE102") || !strings.Contains(stderr, "2 request paths checked") {
		t.Fatalf("the inherited <backend> streams under the global policy:\n%s\n%s", stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "", "lint", "--format", "json", "--stream-api", "chat", "--accept", "SSE120: cached on purpose", root)
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
	code, stdout, _ := runCLI(t, "", "lint", "--streaming", "all", root)
	if code != 2 || !strings.Contains(stdout, filepath.Join(root, "policy.xml")+":3:1: error: end tag </policies> found while <backend> is still open") ||
		!strings.Contains(stdout, filepath.Join(root, "apis", "orders", "policy.xml")+":6:5: error SSE120") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runCLI(t, "", "lint", "-w", root); code != 2 || !strings.Contains(stderr, "is an APIOps tree, checked path by path") {
		t.Fatalf("-w on a tree: exit %d %s", code, stderr)
	}
	// SARIF of a tree holds each file's results.
	code, stdout, _ = runCLI(t, "", "lint", "--format", "sarif", "--streaming", "all", root)
	doc := checkSARIF(t, stdout)
	if code != 2 || !slices.ContainsFunc(sarifResults(doc), func(r sarifResult) bool {
		return r.rule == "SSE120" && strings.HasSuffix(r.uri, "apis/orders/policy.xml") && r.line == 6
	}) || at(doc, "runs", 0, "invocations", 0, "executionSuccessful") != false {
		t.Fatalf("sarif: exit %d\n%s", code, stdout)
	}
}

// The trees under testdata/apiops are laid out as the APIOps extractor
// writes them (apiInformation.json in ARM's shape, specifications as APIM
// exports them, productApiInformation.json folders and the older
// apis.json, policyFragmentInformation.json, diagnosticInformation.json):
//
//   - gate: an LLM API (chat) beside an echo API and a REST API (orders,
//     with a revision), where only the non-LLM APIs have issues, and a
//     fragment no path includes;
//   - llm: the LLM API with errors, on operations its specification
//     declares without a policy, and a diagnostic logging bodies in two
//     blocks;
//   - badspec: a specification that does not parse.
var (
	gateTree    = filepath.Join("testdata", "apiops", "gate")
	llmTree     = filepath.Join("testdata", "apiops", "llm")
	badspecTree = filepath.Join("testdata", "apiops", "badspec")
)

// Findings follow whether each API streams: the LLM API's would be
// errors, the echo API's (nothing says) are warnings "if this API
// streams", the REST API's (its specification declares JSON only) info.
// With issues on the non-LLM APIs only, the gate passes; --streaming all
// and --stream-api hold an API to every rule again.
func TestLintTreeStreaming(t *testing.T) {
	file := func(parts ...string) string { return filepath.Join(append([]string{gateTree}, parts...)...) }
	echoCache := file("apis", "echo-api", "policy.xml") + ":10:5: "
	ordersValidate := file("apis", "orders", "policy.xml") + ":10:5: "
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr []string
		not            []string
	}{
		{"auto", nil, 0, []string{
			echoCache + "warning SSE120: if this API streams: cache-store caches whole responses",
			ordersValidate + "info SSE110: validate-content reads the whole response",
			"(this API does not stream: " + file("apis", "orders", "specification.json") + " declares the responses of its 2 operations as application/json only)",
			file("apis", "orders;rev=2", "policy.xml") + ":10:5: info SSE120",
			file("policy fragments", "legacy-cache", "policy.xml") + ":2:3: info SSE120: cache-lookup caches whole responses",
			"(no request path includes this fragment: this holds where it is included)",
		}, []string{
			"sseready lint: " + gateTree + ": api chat: streaming yes: " + file("apis", "chat", "specification.yaml") + " declares a text/event-stream response for POST /deployments/{deployment-id}/chat/completions (+",
			"sseready lint: " + gateTree + ": api echo-api: streaming unknown: nothing on its path says whether it streams",
			"sseready lint: " + gateTree + ": api orders: streaming no: ",
			"sseready lint: " + gateTree + ": api orders;rev=2: streaming no: ",
			"sseready lint: " + gateTree + ": 6 request paths checked\n",
		}, []string{": error "}},
		{"--streaming all", []string{"--streaming", "all"}, 1, []string{
			echoCache + "error SSE120: cache-store caches whole responses",
			ordersValidate + "error SSE110",
		}, []string{"sseready lint: " + gateTree + ": api orders: streaming yes: --streaming all treats every API as streaming"}, []string{"if this API streams"}},
		{"--stream-api by folder", []string{"--stream-api", "echo-api"}, 1, []string{
			echoCache + "error SSE120: cache-store caches whole responses",
			ordersValidate + "info SSE110",
		}, []string{"sseready lint: " + gateTree + ": api echo-api: streaming yes: named by --stream-api echo-api"}, nil},
		{"--stream-api by display name", []string{"--stream-api", "echo api"}, 1, []string{echoCache + "error SSE120"}, nil, nil},
		{"--stream-api by path", []string{"--stream-api", "/echo"}, 1, []string{echoCache + "error SSE120"}, nil, nil},
		{"--stream-api naming no API", []string{"--stream-api", "payments"}, 0, []string{echoCache + "warning SSE120"},
			[]string{"sseready lint: note: --stream-api payments names no API of the tree"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append(append([]string{"lint"}, tt.args...), gateTree)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(stdout, w) {
					t.Errorf("stdout has %q", w)
				}
			}
			if t.Failed() {
				t.Logf("stdout\n%s\nstderr\n%s", stdout, stderr)
			}
		})
	}
}

// --format json ends with an object for the DIR itself, listing every
// request path checked with its API's verdict and evidence; each
// finding's paths are among them. The paths are the operations the
// specifications declare (with or without a policy), once per product the
// API is in (the older apis.json too), revisions named with ;rev=N.
func TestLintTreeJSONPaths(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "--format", "json", gateTree)
	var out []jsonFile
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 {
		t.Fatalf("exit %d %v\n%s", code, err, stdout)
	}
	dir := out[len(out)-1]
	if dir.File != gateTree || len(dir.Findings) != 0 || !dir.Ready {
		t.Fatalf("last object %+v: want the DIR's", dir)
	}
	got := map[string]report.Path{}
	for _, p := range dir.Paths {
		got[p.Path] = p
	}
	want := map[string]string{
		"api chat > operation ChatCompletions_Create":                  "yes",
		"api chat > operation Models_List":                             "yes", // declared, no policy of its own
		"product starter > api echo-api > operation retrieve-resource": "unknown",
		"product legacy > api orders > operation list-orders":          "no", // apis.json
		"product legacy > api orders > operation create-order":         "no",
		"product legacy > api orders;rev=2 > operation list-orders":    "no",
	}
	if len(got) != len(want) {
		t.Errorf("paths %+v, want %d", dir.Paths, len(want))
	}
	for name, verdict := range want {
		p, ok := got[name]
		if !ok || p.Streaming != verdict || len(p.StreamingEvidence) == 0 {
			t.Errorf("%s: %+v, want streaming %s with evidence", name, p, verdict)
		}
	}
	if p := got["api chat > operation Models_List"]; p.API != "chat" || !strings.Contains(strings.Join(p.StreamingEvidence, "\n"), "llm-token-limit at "+filepath.Join(gateTree, "policy fragments", "token-limit", "policy.xml")+":2:3") {
		t.Errorf("chat: %+v", p)
	}
	for _, f := range out[:len(out)-1] {
		for _, fd := range f.Findings {
			for _, p := range fd.Paths {
				if _, ok := got[p]; !ok {
					t.Errorf("%s: finding on %q, which the DIR does not list", f.File, p)
				}
			}
		}
	}
}

// SARIF carries each result's request paths with their APIs' verdicts in
// its properties.
func TestLintTreeSARIFStreaming(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", "--format", "sarif", gateTree)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	doc := checkSARIF(t, stdout)
	var echo, fragment sarifResult
	for _, r := range sarifResults(doc) {
		switch {
		case strings.HasSuffix(r.uri, "apis/echo-api/policy.xml"):
			echo = r
		case strings.HasSuffix(r.uri, "legacy-cache/policy.xml"):
			fragment = r
		}
	}
	if echo.level != "warning" || str(at(echo.raw, "properties", "streaming")) != "unknown" ||
		!strings.Contains(str(at(echo.raw, "properties", "streaming_evidence", 0)), "nothing on its path says") ||
		str(at(echo.raw, "properties", "paths", 0, "path")) != "product starter > api echo-api > operation retrieve-resource" ||
		str(at(echo.raw, "properties", "paths", 0, "api")) != "echo-api" {
		t.Errorf("echo result %v", echo.raw)
	}
	if fragment.level != "note" || at(fragment.raw, "properties", "streaming") != nil {
		t.Errorf("the unused fragment's result %v", fragment.raw)
	}
}

// The LLM API's errors stay errors: its API policy's validate-content
// holds on the operations its specification declares without a policy
// (the one with a policy replaces <outbound>), and a diagnostic logging
// bodies in two blocks gives a finding per block at its key.
func TestLintTreeLLM(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "lint", llmTree)
	diag := filepath.Join(llmTree, "apis", "chat", "diagnostics", "applicationinsights", "diagnosticInformation.json")
	for _, w := range []string{
		filepath.Join(llmTree, "apis", "chat", "policy.xml") + ":11:5: error SSE110: validate-content reads the whole response to validate it, so the stream is held until it ends: remove it from SSE APIs [on api chat > operation Completions_Create, and 1 more path]",
		diag + ":10:11: error SSE202: the API's diagnostic (applicationinsights) logs 1024 bytes of each frontend request body (frontend.request.body.bytes): that can delay the request, not the stream (it does not hold the response)",
		diag + ":30:11: error SSE202: the API's diagnostic (applicationinsights) logs 8192 bytes of each backend response body (backend.response.body.bytes), which buffers the stream",
		filepath.Join(llmTree, "apis", "echo-api", "policy.xml") + ":10:5: warning SSE120: if this API streams",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q", w)
		}
	}
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	if t.Failed() {
		t.Logf("stdout\n%s\nstderr\n%s", stdout, stderr)
	}
	_, stdout, _ = runCLI(t, "", "lint", "--format", "json", llmTree)
	var out []jsonFile
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range out {
		for _, fd := range f.Findings {
			if fd.Rule == "SSE110" && !slices.Equal(fd.Paths, []string{"api chat > operation Completions_Create", "api chat > operation Embeddings_Create"}) {
				t.Errorf("SSE110 on %q", fd.Paths)
			}
			if fd.Rule == "SSE202" && (fd.XMLAttribute == "" || fd.Element != "diagnostic applicationinsights" || len(fd.Paths) != 3) {
				t.Errorf("SSE202 %+v", fd)
			}
		}
	}
}

// A specification that does not parse is an input error naming the file
// and line (exit 2); the API is still checked, on its own path.
func TestLintTreeMalformedSpec(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "lint", badspecTree)
	spec := filepath.Join(badspecTree, "apis", "chat", "specification.yaml")
	if code != 2 || !strings.Contains(stdout, spec+": error: line 12: did not find expected node content") ||
		!strings.Contains(stdout, filepath.Join(badspecTree, "apis", "chat", "policy.xml")+":10:5: error SSE120: cache-store caches whole responses, so a client may get a stored stream instead of live events: remove it from SSE APIs [on api chat]") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	// SARIF: a notification of the run at the file.
	code, stdout, _ = runCLI(t, "", "lint", "--format", "sarif", badspecTree)
	doc := checkSARIF(t, stdout)
	n := at(doc, "runs", 0, "invocations", 0, "toolExecutionNotifications", 0)
	if code != 2 || !strings.HasSuffix(str(at(n, "locations", 0, "physicalLocation", "artifactLocation", "uri")), "apis/chat/specification.yaml") ||
		!strings.Contains(str(at(n, "message", "text")), "line 12: did not find expected node content") {
		t.Fatalf("exit %d, notification %v", code, n)
	}
}

// A JSON specification's error has a line and column: file:line:column.
func TestLintTreeSpecErrorPlace(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                     readyPolicy,
		"apis/orders/specification.json": "{\n  \"swagger\": \"2.0\",\n  \"paths\": {\"/a\": {\"get\": \"x\"}}\n}\n",
	})
	code, stdout, _ := runCLI(t, "", "lint", root)
	if want := filepath.Join(root, "apis", "orders", "specification.json") + `:3:27: error: paths./a.get is the scalar "x", not an operation`; code != 2 || !strings.Contains(stdout, want) {
		t.Fatalf("exit %d\n%s\nwant %s", code, stdout, want)
	}
}

func TestLintStreamingFlags(t *testing.T) {
	if code, _, stderr := runCLI(t, "", "lint", "--streaming", "some", gateTree); code != 2 || !strings.Contains(stderr, "sseready lint: --streaming: unknown streaming mode \"some\": use auto") {
		t.Errorf("--streaming some: exit %d %s", code, stderr)
	}
	// A single file is held to every rule: the flags are said not to apply.
	file := filepath.Join(gateTree, "apis", "echo-api", "policy.xml")
	code, stdout, stderr := runCLI(t, "", "lint", "--stream-api", "echo-api", file)
	if code != 1 || !strings.Contains(stdout, "error SSE120") || !strings.Contains(stderr, "--streaming and --stream-api apply to APIOps trees (DIR)") {
		t.Errorf("single file: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, _, stderr := runCLI(t, "", "lint", "--stream-api", "echo-api", gateTree); strings.Contains(stderr, "apply to APIOps trees") {
		t.Errorf("note with a DIR: %s", stderr)
	}
}

// One path is counted as one.
func TestLintTreeOnePath(t *testing.T) {
	root := writeTree(t, map[string]string{"policy.xml": readyPolicy, "apis/chat/policy.xml": treeAPIInherits})
	if _, _, stderr := runCLI(t, "", "lint", root); !strings.Contains(stderr, ": 1 request path checked\n") {
		t.Errorf("stderr %s", stderr)
	}
}
