package pathview

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// The APIs that stream come first, then those that may, and those that
// do not are listed apart, after a heading of their own.
func TestStreamingPathsFirst(t *testing.T) {
	apim := &chaincheck.Chain{APIM: &chaincheck.APIM{}}
	pg := Page{Title: "t", Paths: []Path{
		{Name: "api echo", Streaming: "no", Hops: hopsOf(apim)},
		{Name: "api maybe", Streaming: "unknown", Hops: hopsOf(apim)},
		{Name: "api chat", Streaming: "yes", Hops: hopsOf(apim)},
	}}
	var b bytes.Buffer
	if err := Write(&b, pg); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	chat, maybe, apart, echo := strings.Index(out, `data-path="api chat"`), strings.Index(out, `data-path="api maybe"`),
		strings.Index(out, `<h2 id="apart">`), strings.Index(out, `data-path="api echo"`)
	if chat < 0 || maybe < chat || apart < maybe || echo < apart {
		t.Fatalf("chat %d, maybe %d, apart %d, echo %d", chat, maybe, apart, echo)
	}
}

// Text from policies and plans is escaped: a message, an element, a path
// name or an address cannot add markup to the page.
func TestPageEscapesText(t *testing.T) {
	f := report.FromRule(rules.MustLookup(rules.ForwardRequestBuffers).Finding(1, 2, `x"><script>alert(1)</script>`, "a <b>bold</b> & <base /> claim"))
	f.Setting = "apim.policies[0].xml"
	c := &chaincheck.Chain{APIM: &chaincheck.APIM{Policies: []chaincheck.Policy{{Name: `azurerm_api_management_policy.x["<svg onload=1>"]`}}}}
	p := FromChain(`chain "<img>".json`, c, []report.Finding{f})
	var b bytes.Buffer
	if err := Write(&b, Page{Title: "<title>", Paths: []Path{p}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<b>bold", "<svg onload", "<img>", "<title><title>"} {
		if strings.Contains(out, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	for _, good := range []string{"a &lt;b&gt;bold&lt;/b&gt; &amp; &lt;base /&gt; claim", "&lt;svg onload=1&gt;"} {
		if !strings.Contains(out, good) {
			t.Errorf("the page lacks %q", good)
		}
	}
	// The finding sits in its policy's row.
	if !strings.Contains(out, `<li class="policy" data-scope="api"><span class="scope">api</span> <span class="policy-name">azurerm_api_management_policy.x[&#34;&lt;svg onload=1&gt;&#34;]</span><br><span class="element sev-error" data-rule="SSE101">`) {
		t.Errorf("the finding is not in its policy:\n%s", out)
	}
}
