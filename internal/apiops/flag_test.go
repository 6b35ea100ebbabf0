package apiops

import (
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// The stream flag set in one scope and read in another, along a tree's
// request paths (issue 16, §1): the global policy computes it in a block,
// as public LLM gateways do; a fragment an API includes routes on it
// without case (its deliberate buffering for the others is info); a
// sibling API compares it with == "true", which never matches ("True"),
// so its streams take the buffering branch: SSE153 and SSE101 errors.
func TestStreamFlagAcrossTheTree(t *testing.T) {
	const global = `<policies>
  <inbound>
    <set-variable name="isStream" value="@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        if (body["stream"] != null) { return body["stream"].ToString(); }
        return "false";
    }" />
  </inbound>
  <backend><forward-request timeout="120" buffer-response="false" /></backend>
  <outbound />
  <on-error />
</policies>
`
	const route = `<fragment>
  <choose>
    <when condition="@(context.Variables.GetValueOrDefault<string>("isStream", "false").Equals("false", StringComparison.OrdinalIgnoreCase))">
      <forward-request timeout="120" buffer-response="true" />
    </when>
    <otherwise>
      <forward-request timeout="120" buffer-response="false" />
    </otherwise>
  </choose>
</fragment>
`
	const chat = `<policies>
  <inbound><base /></inbound>
  <backend><include-fragment fragment-id="route" /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`
	const completions = `<policies>
  <inbound><base /></inbound>
  <backend>
    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<string>("isStream") == "true")">
        <forward-request timeout="120" buffer-response="false" />
      </when>
      <otherwise>
        <forward-request timeout="120" buffer-response="true" />
      </otherwise>
    </choose>
  </backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`
	const info = `{"properties": {"path": "%s", "serviceUrl": "https://contoso.openai.azure.com/openai", "type": "http"}}`
	root := writeTree(t, map[string]string{
		"policy.xml":                           global,
		"policy fragments/route/policy.xml":    route,
		"apis/chat/policy.xml":                 chat,
		"apis/chat/apiInformation.json":        strings.Replace(info, "%s", "chat", 1),
		"apis/completions/policy.xml":          completions,
		"apis/completions/apiInformation.json": strings.Replace(info, "%s", "completions", 1),
	})
	tree, errs := Load(root)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rel(root, tree.CheckStreams(apimcheck.Options{}, streamapi.Options{}))
	want := strings.Join([]string{
		"apis/completions/policy.xml:5:13 SSE153 error [api completions]",
		"apis/completions/policy.xml:9:40 SSE101 error [api completions]",
		"policy fragments/route/policy.xml:4:38 SSE101 info [api chat]",
	}, "\n")
	if got := summarize(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	for _, f := range r.Findings {
		if f.Rule == "SSE101" && f.Severity == "info" && !strings.Contains(f.Message, "only requests that do not ask for a stream take this branch") {
			t.Errorf("the info does not say why: %s", f.Message)
		}
	}
}
