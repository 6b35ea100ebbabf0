package apimcheck

import (
	"slices"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

func TestStreamSignals(t *testing.T) {
	frag := mustParse(t, `<fragment><azure-openai-emit-token-metric /></fragment>`)
	apiSrc := `<policies><inbound><base /><llm-token-limit tokens-per-minute="1000" counter-key="k" />` + rawFlagVar + `<include-fragment fragment-id="metrics" /><!-- <llm-content-safety /> --></inbound>` +
		`<backend><forward-request buffer-response="false" /></backend><outbound /><on-error /></policies>`
	api := mustParse(t, apiSrc)
	global := mustParse(t, `<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>`)
	comp, err := Compose([]ScopedPolicy{{Scope: Global, Doc: global, Name: "policy.xml"}, {Scope: API, Doc: api, Name: "apis/chat/policy.xml"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range CompositionSignals(&comp, map[string]*apimpolicy.Document{"metrics": frag}) {
		got = append(got, s.What+" @ "+s.Where(func(id string) string { return "policy fragments/" + id + "/policy.xml" }))
	}
	want := []string{
		"llm-token-limit @ apis/chat/policy.xml:" + resolve(t, apiSrc, "@<llm-token-limit"),
		"a policy expression reads the request's stream flag @ apis/chat/policy.xml:" + resolve(t, apiSrc, "@<set-variable"),
		"azure-openai-emit-token-metric @ policy fragments/metrics/policy.xml:1:11",
		`forward-request buffer-response="false" @ apis/chat/policy.xml:` + resolve(t, apiSrc, "@<forward-request"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("signals\n  %q\nwant\n  %q", got, want)
	}
	if plain := StreamSignals(global, nil); len(plain) != 0 {
		t.Errorf("a buffering global policy has signals %v", plain)
	}
}

func mustParse(t *testing.T, src string) *apimpolicy.Document {
	t.Helper()
	doc, err := apimpolicy.ParseLoose([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
