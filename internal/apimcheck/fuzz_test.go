package apimcheck

import (
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

// FuzzCheck: whatever parses is checked and fixed without a panic; the fix
// parses again, every finding has a rule and an element, and a fragment
// given (the input itself, included from its own <backend>) is followed
// without looping.
func FuzzCheck(f *testing.F) {
	for _, c := range testcorpus.APIMPolicies() {
		f.Add(c.Data)
	}
	for _, s := range []string{
		policy(flagVar, when(`@(!(bool)context.Variables["isStream"])`, buffering, goodForward), stream(`<return-response />`), ""),
		"<set-body>@{ var r = context.Response; return $\"{r.Body.As<string>()}\"; }</set-body>",
		`<policies><inbound><include-fragment fragment-id="f" /></inbound></policies>`,
		"<!-- sseready:accept SSE1 -->\n<x a=\"@(x?[\\\"stream\\\"] == \\\"TRUE\\\")\" />",
		"<fragment><set-header name=\"Content-Type\" exists-action=\"@(1)\" /></fragment>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		frags, _ := ParseFragments(map[string]string{"f": string(src)})
		for _, opts := range []Options{{}, {Fragments: frags, Accepted: []rules.Acceptance{{Rule: rules.ForwardRequestBuffers}}}} {
			res, err := CheckSource(src, opts)
			if err != nil {
				return
			}
			for _, fd := range res.Findings {
				if fd.Rule == "" || fd.Element == "" {
					t.Fatalf("finding without rule or element: %+v", fd)
				}
			}
			if _, err := Fix(src, opts); err != nil {
				t.Fatalf("fix: %v", err)
			}
		}
	})
}
