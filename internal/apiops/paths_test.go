package apiops

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/openapi"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// caches is an API policy whose outbound caches responses (SSE120, an
// error), on line 6.
const caches = "<policies>\n  <inbound><base /></inbound>\n  <backend><base /></backend>\n  <outbound>\n    <base />\n    <cache-store duration=\"60\" />\n  </outbound>\n  <on-error><base /></on-error>\n</policies>\n"

// specYAML declares two operations: listModels (GET /models) and
// createChatCompletion; the second has a policy folder.
const specYAML = `openapi: 3.0.1
info: {title: chat, version: '1'}
paths:
  /models:
    get:
      operationId: listModels
      responses:
        '200':
          description: ok
          content:
            application/json: {}
  /chat/completions:
    post:
      operationId: createChatCompletion
      responses:
        '200':
          description: ok
          content:
            text/event-stream: {}
`

func pathNames(r Report) []string {
	var out []string
	for _, p := range r.RequestPaths {
		out = append(out, p.Name)
	}
	return out
}

// Every operation the specification declares is a request path: one with
// no policy of its own runs the API's, and a finding there is reported
// on it. An operation folder the specification does not declare is still
// a path. A revision keeps ";rev=N" in its paths' names.
func TestDeclaredOperationsArePaths(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                   globalStreams,
		"apis/chat/policy.xml":         caches,
		"apis/chat/specification.yaml": specYAML,
		"apis/chat/operations/createChatCompletion/policy.xml": inheritsAll,
		"apis/chat/operations/legacy/policy.xml":               inheritsAll,
		"apis/chat;rev=2/policy.xml":                           caches,
		"apis/chat;rev=2/specification.json":                   `{"openapi": "3.0.1", "paths": {"/models": {"get": {"operationId": "listModels"}}}}`,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	wantPaths := []string{
		"api chat > operation createChatCompletion",
		"api chat > operation legacy",
		"api chat > operation listModels",
		"api chat;rev=2 > operation listModels",
	}
	if got := pathNames(r); !slices.Equal(got, wantPaths) || r.Paths != len(wantPaths) {
		t.Fatalf("paths %q (%d), want %q", got, r.Paths, wantPaths)
	}
	want := strings.Join([]string{
		"apis/chat/policy.xml:6:5 SSE120 error [api chat > operation createChatCompletion; api chat > operation legacy; api chat > operation listModels]",
		"apis/chat;rev=2/policy.xml:6:5 SSE120 error [api chat;rev=2 > operation listModels]",
	}, "\n")
	if got := summarize(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	// The folder is matched to the declared operation (case aside), the
	// other one is not declared.
	var chat *API
	for _, a := range tree.APIs {
		if a.Folder == "chat" {
			chat = a
		}
	}
	if chat.Operations[0].Declared == nil || chat.Operations[0].Declared.Method != "POST" || chat.Operations[1].Declared != nil {
		t.Errorf("declared: %+v, %+v", chat.Operations[0].Declared, chat.Operations[1].Declared)
	}
	if u := chat.Unpoliced(); len(u) != 1 || u[0].ID != "listModels" {
		t.Errorf("unpoliced %+v", u)
	}
}

// Operation folders none of whose names the specification declares are
// said in a note (the names may not be the operationIds).
func TestOperationFoldersNotInSpec(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                               globalStreams,
		"apis/chat/specification.yaml":             specYAML,
		"apis/chat/operations/list/policy.xml":     inheritsAll,
		"apis/chat/operations/complete/policy.xml": inheritsAll,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := tree.Check(apimcheck.Options{})
	if r.Paths != 4 {
		t.Errorf("%d paths: %q", r.Paths, pathNames(r))
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.Contains(n, "no operation folder under operations/ is named as an operation the specification declares")
	}) {
		t.Errorf("notes %q", r.Notes)
	}
}

// A specification that cannot be read is a LoadError naming the file and
// line; the API is then checked on its own path (and its operation
// folders), as with no specification.
func TestMalformedSpec(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                          globalStreams,
		"apis/chat/policy.xml":                caches,
		"apis/chat/specification.yaml":        "openapi: 3.0.1\npaths:\n  /models:\n    get: {\n",
		"apis/orders/policy.xml":              caches,
		"apis/orders/specification.json":      "{\n  \"openapi\": \"3.0.1\",\n  \"paths\": []\n}\n",
		"apis/orders/operations/a/policy.xml": inheritsAll,
	})
	tree, errs := Load(root)
	var got []string
	for _, err := range errs {
		var le *LoadError
		var oe *openapi.SyntaxError
		if !errors.As(err, &le) || !errors.As(err, &oe) {
			t.Fatalf("%T %v: want a LoadError of an openapi.SyntaxError", err, err)
		}
		got = append(got, filepath.ToSlash(strings.TrimPrefix(err.Error(), root+string(filepath.Separator))))
	}
	want := []string{
		"apis/chat/specification.yaml:4: did not find expected node content",
		"apis/orders/specification.json:3:12: paths is a list, not a mapping",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("errors\n%q\nwant\n%q", got, want)
	}
	r := tree.Check(apimcheck.Options{})
	if got, want := pathNames(r), []string{"api chat", "api orders > operation a"}; !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	if len(r.Findings) != 2 {
		t.Fatalf("findings\n%s", summarize(rel(root, r)))
	}
}

// The older extractor listed a product's APIs in products/<p>/apis.json,
// as names or objects with a name; the newer writes a folder per API.
// Both are read, also side by side; names are APIM's, case aside, and a
// product holds every revision of an API it names.
func TestProductAPIsJSON(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                                        globalStreams,
		"apis/chat/policy.xml":                              caches,
		"apis/orders/policy.xml":                            caches,
		"apis/echo/policy.xml":                              caches,
		"products/old/apis.json":                            `[{"name": "chat"}, {"name": "orders"}]`,
		"products/older/apis.json":                          `["Echo;rev=3"]`,
		"products/new/apis/chat/productApiInformation.json": "{}",
		"products/new/apis.json":                            `["orders"]`,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := tree.Check(apimcheck.Options{})
	want := []string{
		"product new > api chat", "product old > api chat",
		"product older > api echo",
		"product new > api orders", "product old > api orders",
	}
	if got := pathNames(r); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	for body, msg := range map[string]string{
		`{"name": "chat"}`:    "expected a list of API names, or of objects with a name",
		`[{"title": "chat"}]`: `item 0 is {"title": "chat"}: expected an API name`,
		`[3]`:                 "item 0 is 3",
		`["chat",`:            "line 1, column 8: unexpected end of JSON input",
	} {
		root := writeTree(t, map[string]string{"products/p/apis.json": body})
		_, errs := Load(root)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), msg) || !strings.Contains(errs[0].Error(), filepath.Join("products", "p", "apis.json")) {
			t.Errorf("%s: errors %v, want one saying %q", body, errs, msg)
		}
	}
}

// apiInformation.json is read in ARM's shape into the API's Info; a file
// that is not JSON, or has a value of the wrong type, is a LoadError at
// its line and column.
func TestAPIInformation(t *testing.T) {
	root := writeTree(t, map[string]string{
		"apis/chat/apiInformation.json": `{
  "properties": {
    "path": "openai",
    "apiRevision": "1",
    "isCurrent": true,
    "displayName": "Chat",
    "protocols": ["https"],
    "serviceUrl": "https://contoso.openai.azure.com/openai",
    "subscriptionRequired": false,
    "subscriptionKeyParameterNames": {"header": "api-key", "query": "subscription-key"},
    "apiVersion": "v1",
    "apiVersionSetId": "/apiVersionSets/chat",
    "type": "http"
  }
}`,
		"apis/bare/apiInformation.json":  "{}",
		"apis/bad/apiInformation.json":   "{\n  \"properties\": {\n    \"subscriptionRequired\": \"yes\"\n  }\n}",
		"apis/worse/apiInformation.json": "{\n  \"properties\": {,\n}",
	})
	tree, errs := Load(root)
	var got []string
	for _, err := range errs {
		got = append(got, filepath.ToSlash(strings.TrimPrefix(err.Error(), root+string(filepath.Separator))))
	}
	want := []string{
		"apis/bad/apiInformation.json: line 3, column 29: properties.subscriptionRequired is a JSON string, not a boolean",
		"apis/worse/apiInformation.json: line 2, column 18: invalid character ',' looking for beginning of object key string",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("errors\n%q\nwant\n%q", got, want)
	}
	byName := map[string]*API{}
	for _, a := range tree.APIs {
		byName[a.Folder] = a
	}
	i := byName["chat"].Info
	if i == nil || i.Path != "openai" || i.DisplayName != "Chat" || i.ServiceURL != "https://contoso.openai.azure.com/openai" ||
		i.SubscriptionRequired == nil || *i.SubscriptionRequired || i.IsCurrent == nil || !*i.IsCurrent ||
		i.SubscriptionKeyParameterNames == nil || i.SubscriptionKeyParameterNames.Header != "api-key" ||
		i.APIRevision != "1" || i.APIVersion != "v1" || i.APIVersionSetID != "/apiVersionSets/chat" || !slices.Equal(i.Protocols, []string{"https"}) {
		t.Errorf("info %+v", i)
	}
	if b := byName["bare"].Info; b == nil || b.TypeName() != "http" || b.SubscriptionRequired != nil {
		t.Errorf("bare %+v", b)
	}
	if byName["bad"].Info != nil {
		t.Error("a broken apiInformation.json was read")
	}
}

// A finding found on several paths lists the paths where it has its
// (worst) severity: where an operation answers every request in
// <inbound>, the API's outbound never runs, and that path is not listed
// with the error.
func TestFindingListsPathsWhereItHolds(t *testing.T) {
	answers := "<policies>\n  <inbound>\n    <base />\n    <return-response><set-status code=\"200\" /></return-response>\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n"
	root := writeTree(t, map[string]string{
		"policy.xml":                             globalStreams,
		"apis/chat/policy.xml":                   caches,
		"apis/chat/operations/health/policy.xml": answers,
		"apis/chat/operations/stream/policy.xml": inheritsAll,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	var cache *Finding
	for i, f := range r.Findings {
		if f.Rule == rules.ResponseCaching {
			cache = &r.Findings[i]
		}
	}
	if cache == nil {
		t.Fatalf("no SSE120:\n%s", summarize(r))
	}
	if cache.Severity != rules.Error || !slices.Equal(cache.Paths, []string{"api chat > operation stream"}) || strings.Contains(cache.Message, "never runs") {
		t.Fatalf("finding %s %q %q", cache.Severity, cache.Paths, cache.Message)
	}
	// Alone, the health path has it as info: never runs.
	root = writeTree(t, map[string]string{
		"policy.xml":                             globalStreams,
		"apis/chat/policy.xml":                   caches,
		"apis/chat/operations/health/policy.xml": answers,
	})
	tree, _ = Load(root)
	r = tree.Check(apimcheck.Options{})
	if len(r.Findings) == 0 || r.Findings[0].Severity != rules.Info || !strings.Contains(r.Findings[0].Message, "never runs") {
		t.Fatalf("findings\n%s", summarize(rel(root, r)))
	}
}

// A fragment no request path includes is checked on its own, its
// findings lowered to info, each saying that no path includes it, and a
// note names it. One a path includes is not checked again.
func TestUnusedFragment(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                         globalStreams,
		"apis/chat/policy.xml":               strings.Replace(includes, `fragment-id="cache"`, `fragment-id="used"`, 1),
		"policy fragments/used/policy.xml":   "<fragment>\n  <set-header name=\"x\" exists-action=\"override\"><value>1</value></set-header>\n</fragment>\n",
		"policy fragments/unused/policy.xml": cacheFragment,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	if got, want := summarize(r), "policy fragments/unused/policy.xml:2:3 SSE120 info []"; got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	if !strings.HasSuffix(r.Findings[0].Message, "(no request path includes this fragment: this holds where it is included)") {
		t.Errorf("message %q", r.Findings[0].Message)
	}
	if !r.Ready() {
		t.Error("an unused fragment's findings fail the tree")
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.HasSuffix(n, filepath.Join("unused", "policy.xml")+": no request path includes this fragment: checked on its own, its findings reported as info")
	}) {
		t.Errorf("notes %q", r.Notes)
	}
}

// A fragment of the service's root that only a workspace's path includes
// is checked there, not again on its own.
func TestRootFragmentIncludedByWorkspace(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                          globalStreams,
		"policy fragments/cache/policy.xml":   cacheFragment,
		"workspaces/team/apis/llm/policy.xml": includes,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	if got, want := summarize(r), "policy fragments/cache/policy.xml:2:3 SSE120 error [workspace team > api llm]"; got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
}

// A diagnostic that logs bodies in several blocks gives a finding per
// block, each naming its ARM attribute at its key's line and column in
// the file; a request body's says that it does not hold the response.
func TestDiagnosticBlocks(t *testing.T) {
	diag := `{
  "properties": {
    "loggerId": "/loggers/ai",
    "frontend": {
      "request": {"body": {"bytes": 512}},
      "response": {
        "headers": ["Content-Type"],
        "body": {
          "bytes": 1024
        }
      }
    },
    "backend": {"request": {"body": {"bytes": 0}}, "response": {"body": {"bytes": 0}}}
  }
}`
	root := writeTree(t, map[string]string{
		"policy.xml":           globalStreams,
		"apis/chat/policy.xml": inheritsAll,
		"apis/chat/diagnostics/applicationinsights/diagnosticInformation.json": diag,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.Check(apimcheck.Options{}))
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%d:%d %s %s %s", f.Line, f.Column, f.Rule, f.Severity, f.Attribute))
	}
	want := []string{"5:28 SSE202 error frontend.request.body.bytes", "9:11 SSE202 error frontend.response.body.bytes"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings %q, want %q", got, want)
	}
	if m := r.Findings[0].Message; !strings.Contains(m, "512 bytes of each frontend request body (frontend.request.body.bytes)") || !strings.Contains(m, "not the stream (it does not hold the response)") {
		t.Errorf("request message %q", m)
	}
	if m := r.Findings[1].Message; !strings.Contains(m, "1024 bytes of each frontend response body (frontend.response.body.bytes), which buffers the stream") {
		t.Errorf("response message %q", m)
	}
	if r.Findings[0].Element != "diagnostic applicationinsights" || r.Findings[0].File != "apis/chat/diagnostics/applicationinsights/diagnosticInformation.json" {
		t.Errorf("finding %+v", r.Findings[0])
	}
}

func TestJSONKeys(t *testing.T) {
	src := []byte("{\"a\": {\"b\": 1, \"l\": [{\"x\": 1}], \"q\\\"k\": {\"c\": true}},\n  \"d\":\n\t{\"é\": {\"f\": null}}}")
	keys := jsonKeys(src)
	got := map[string]string{}
	for k, p := range keys {
		got[k] = fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	want := map[string]string{"a": "1:2", "a.b": "1:8", "a.l": "1:16", "a.q\"k": "1:33", "a.q\"k.c": "1:42", "d": "2:3", "d.é": "3:3", "d.é.f": "3:9"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("keys %v\nwant %v", got, want)
	}
}

// decide runs CheckStreams on the tree and returns its verdicts by API.
func verdicts(r Report) map[string]streamapi.Decision {
	out := map[string]streamapi.Decision{}
	for _, a := range r.APIs {
		out[a.Name] = a.Decision
	}
	return out
}

// CheckStreams decides once per API and adjusts each path's findings
// before they are merged: an LLM API's errors stay errors, an API with no
// evidence gets warnings "if this API streams", one whose specification
// declares JSON only gets info; a finding in a shared file is an error
// where it holds on a streaming path, and lists those paths only.
func TestCheckStreams(t *testing.T) {
	root := writeTree(t, map[string]string{
		// The global policy streams: shared, so no evidence for any API.
		"policy.xml": strings.Replace(globalStreams, "<outbound><base /></outbound>", "<outbound>\n    <base />\n    <cache-store duration=\"60\" />\n  </outbound>", 1),
		"apis/chat/policy.xml": strings.Replace(inheritsAll, "<inbound><base /></inbound>",
			"<inbound>\n    <base />\n    <llm-token-limit tokens-per-minute=\"1000\" counter-key=\"k\" />\n  </inbound>", 1),
		"apis/echo/policy.xml":                     caches,
		"apis/orders/policy.xml":                   caches,
		"apis/orders/specification.yaml":           "openapi: 3.0.1\npaths:\n  /orders:\n    get:\n      operationId: list\n      responses:\n        '200': {description: ok, content: {application/json: {}}}\n",
		"apis/orders/apiInformation.json":          `{"properties": {"path": "orders", "displayName": "Orders", "serviceUrl": "https://orders.contoso.com"}}`,
		"apis/aoai/apiInformation.json":            `{"properties": {"path": "ai", "serviceUrl": "https://contoso.openai.azure.com/openai"}}`,
		"apis/aoai/policy.xml":                     inheritsAll,
		"apis/tools/apiInformation.json":           `{"properties": {"path": "tools", "type": "mcp", "mcpProperties": {"transportType": "streamable"}}}`,
		"apis/tools/policy.xml":                    inheritsAll,
		"apis/odd/apiInformation.json":             `{"properties": {"path": "odd", "type": "carrier-pigeon"}}`,
		"apis/odd/specification.yaml":              "openapi: 3.0.1\npaths:\n  /x:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {}}}\n",
		"apis/odd/policy.xml":                      inheritsAll,
		"apis/routed/policy.xml":                   strings.Replace(inheritsAll, "<inbound><base /></inbound>", "<inbound>\n    <base />\n    <set-backend-service backend-id=\"foundry\" />\n  </inbound>", 1),
		"backends/foundry/backendInformation.json": `{"properties": {"url": "https://proj.services.ai.azure.com/models", "protocol": "http"}}`,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.CheckStreams(apimcheck.Options{}, streamapi.Options{Mode: streamapi.Auto}))
	v := verdicts(r)
	for api, want := range map[string]struct {
		verdict  streamapi.Verdict
		evidence string
	}{
		"api chat":   {streamapi.Yes, "llm-token-limit at " + filepath.Join(root, "apis", "chat", "policy.xml") + ":4:5"},
		"api echo":   {streamapi.Unknown, "nothing on its path says"},
		"api orders": {streamapi.No, "specification.yaml declares the responses of its operation as application/json only"},
		"api aoai":   {streamapi.Yes, "https://contoso.openai.azure.com/openai (" + filepath.Join(root, "apis", "aoai", "apiInformation.json") + " serviceUrl)"},
		"api tools":  {streamapi.Yes, "MCP server API (type mcp in " + filepath.Join(root, "apis", "tools", "apiInformation.json") + ", transport streamable)"},
		"api odd":    {streamapi.Unknown, `its type "carrier-pigeon"`},
		"api routed": {streamapi.Yes, "backend foundry in " + filepath.Join(root, "backends", "foundry", "backendInformation.json") + ", named by set-backend-service at " + filepath.Join(root, "apis", "routed", "policy.xml") + ":4:5"},
	} {
		d, ok := v[api]
		if !ok {
			t.Errorf("%s: no verdict", api)
			continue
		}
		if d.Verdict != want.verdict || !strings.Contains(strings.Join(d.Evidence, "\n"), want.evidence) {
			t.Errorf("%s: %s %q, want %s with %q", api, d.Verdict, d.Evidence, want.verdict, want.evidence)
		}
		for _, e := range d.Evidence {
			if strings.Contains(e, "buffer-response") {
				t.Errorf("%s: the shared global policy's forward-request is evidence: %q", api, e)
			}
		}
	}
	byFile := map[string]Finding{}
	for _, f := range r.Findings {
		byFile[f.File] = f
	}
	// The global policy's cache-store is an error on the streaming APIs'
	// paths, listed alone.
	g := byFile["policy.xml"]
	if g.Severity != rules.Error || !slices.Equal(g.Paths, []string{"api aoai", "api chat", "api routed", "api tools"}) {
		t.Errorf("global: %s %q %q", g.Severity, g.Paths, g.Message)
	}
	if e := byFile["apis/echo/policy.xml"]; e.Severity != rules.Warning || !strings.HasPrefix(e.Message, "if this API streams: ") {
		t.Errorf("echo: %s %q", e.Severity, e.Message)
	}
	if o := byFile["apis/orders/policy.xml"]; o.Severity != rules.Info || !strings.Contains(o.Message, "(this API does not stream: ") {
		t.Errorf("orders: %s %q", o.Severity, o.Message)
	}
	// Every request path carries its API's verdict.
	for _, p := range r.RequestPaths {
		if p.Streams.Verdict != v["api "+p.API].Verdict {
			t.Errorf("%s: %s, its API %s", p.Name, p.Streams.Verdict, v["api "+p.API].Verdict)
		}
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.Contains(n, `type "carrier-pigeon" is not an API type sseready knows`)
	}) {
		t.Errorf("notes %q", r.Notes)
	}
	// Check, without CheckStreams, holds every API to the rules.
	plain := rel(root, tree.Check(apimcheck.Options{}))
	if len(plain.APIs) != 0 || plain.Ready() {
		t.Errorf("Check: %d verdicts, ready %v", len(plain.APIs), plain.Ready())
	}
}

// The user's word: --streaming all holds every API to the rules (as
// Check does), --stream-api names one by name, display name or path, a
// marker comment at the top of the policy wins over the sources, and a
// name that names no API is said in a note.
func TestCheckStreamsOptions(t *testing.T) {
	root := writeTree(t, map[string]string{
		"policy.xml":                    globalStreams,
		"apis/echo/policy.xml":          caches,
		"apis/echo/apiInformation.json": `{"properties": {"path": "echo/v1", "displayName": "Echo API"}}`,
		"apis/health/policy.xml":        "<!-- sseready:no-stream the health API answers JSON -->\n" + caches,
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tests := []struct {
		name   string
		opts   streamapi.Options
		echo   streamapi.Verdict
		health streamapi.Verdict
		note   string
	}{
		{"auto", streamapi.Options{}, streamapi.Unknown, streamapi.No, ""},
		{"all", streamapi.Options{Mode: streamapi.All}, streamapi.Yes, streamapi.Yes, ""},
		{"by display name", streamapi.Options{Named: []string{"echo api"}}, streamapi.Yes, streamapi.No, ""},
		{"by path", streamapi.Options{Named: []string{"/echo/v1"}}, streamapi.Yes, streamapi.No, ""},
		{"the marker wins", streamapi.Options{Named: []string{"health"}}, streamapi.Unknown, streamapi.No, ""},
		{"a name of no API", streamapi.Options{Named: []string{"chat"}}, streamapi.Unknown, streamapi.No, "--stream-api chat names no API of the tree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tree.CheckStreams(apimcheck.Options{}, tt.opts)
			v := verdicts(r)
			if v["api echo"].Verdict != tt.echo || v["api health"].Verdict != tt.health {
				t.Errorf("echo %s %q, health %s %q", v["api echo"].Verdict, v["api echo"].Evidence, v["api health"].Verdict, v["api health"].Evidence)
			}
			hasNote := slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "names no API") })
			if (tt.note != "") != hasNote || (hasNote && !slices.Contains(r.Notes, tt.note+" (by name, folder, display name or path)")) {
				t.Errorf("notes %q", r.Notes)
			}
		})
	}
}
