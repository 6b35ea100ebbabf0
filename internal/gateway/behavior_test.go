package gateway

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
)

// The hop runs the policies of every scope given as APIM composes them:
// each <base /> takes the section of the scope above.
func TestDeriveComposesScopes(t *testing.T) {
	const (
		globalStreams   = `<policies><inbound /><backend><forward-request buffer-response="false" timeout="90" /></backend><outbound /><on-error /></policies>`
		globalBuffers   = `<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>`
		globalValidates = `<policies><inbound /><backend><forward-request buffer-response="false" /></backend><outbound><validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" /></outbound><on-error /></policies>`
		ownOutbound     = `<policies><inbound><base /></inbound><backend><base /></backend><outbound><set-header name="x" exists-action="delete" /></outbound></policies>`
		shortTimeout    = `<policies><inbound><base /></inbound><backend><forward-request buffer-response="false" timeout="30" /></backend><outbound><base /></outbound></policies>`
	)
	at := func(scope apimcheck.Scope, xml string) Policy { return Policy{Scope: scope, XML: []byte(xml)} }
	for _, tt := range []struct {
		name     string
		policies []Policy
		want     string
		timeout  time.Duration
	}{
		{"the API alone inherits the global default, which buffers", []Policy{at(apimcheck.API, inheritPolicy)}, "buffer=8192; rules=SSE102", DefaultForwardTimeout},
		{"a streaming global policy streams for an API that inherits it", []Policy{at(apimcheck.API, inheritPolicy), at(apimcheck.Global, globalStreams)}, "stream", 90 * time.Second},
		{"a buffering global policy buffers an API that inherits it", []Policy{at(apimcheck.Global, globalBuffers), at(apimcheck.API, inheritPolicy)}, "buffer=8192; rules=SSE101", DefaultForwardTimeout},
		{"the global outbound section runs where the API says <base />", []Policy{at(apimcheck.Global, globalValidates), at(apimcheck.API, inheritPolicy)}, "hold-all; rules=SSE110", DefaultForwardTimeout},
		{"an outbound section without <base /> does not run the global one", []Policy{at(apimcheck.Global, globalValidates), at(apimcheck.API, ownOutbound)}, "stream", DefaultForwardTimeout},
		{"product, API and operation inherit down to the product's backend", []Policy{at(apimcheck.Product, globalStreams), at(apimcheck.API, inheritPolicy), at(apimcheck.Operation, inheritPolicy)}, "stream", 90 * time.Second},
		{"an operation that forwards itself sets the timeout", []Policy{at(apimcheck.API, inheritPolicy), at(apimcheck.Global, globalStreams), at(apimcheck.Operation, shortTimeout)}, "stream", 30 * time.Second},
		// Above the highest scope given stands APIM's global default, whatever that scope is.
		{"an operation alone inherits the global default, which buffers", []Policy{at(apimcheck.Operation, inheritPolicy)}, "buffer=8192; rules=SSE102", DefaultForwardTimeout},
		{"a product alone inherits the global default, which buffers", []Policy{at(apimcheck.Product, inheritPolicy)}, "buffer=8192; rules=SSE102", DefaultForwardTimeout},
		{"a workspace, API and operation inherit the global default", []Policy{at(apimcheck.Workspace, inheritPolicy), at(apimcheck.API, inheritPolicy), at(apimcheck.Operation, inheritPolicy)}, "buffer=8192; rules=SSE102", DefaultForwardTimeout},
		{"an operation alone that forwards itself streams", []Policy{at(apimcheck.Operation, shortTimeout)}, "stream", 30 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Derive(Config{Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, APIM: &APIM{Policies: tt.policies}})
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want || b.HeaderTimeout != tt.timeout {
				t.Errorf("behaviour %q, header timeout %s; want %q, %s", b, b.HeaderTimeout, tt.want, tt.timeout)
			}
			// Every scope above is composed, so no inherited <backend> is left
			// to check elsewhere; and the global default's forward-request,
			// which no file holds, is reported as the inheritance, not on its
			// own (policies that write none have no warnings).
			writesNone := true
			for _, p := range tt.policies {
				writesNone = writesNone && string(p.XML) == inheritPolicy
			}
			if w := notes(b.Warnings); strings.Contains(w, "SSE102") || (writesNone && w != "") {
				t.Errorf("warnings %q", b.Warnings)
			}
		})
	}
}

// A global (All APIs) diagnostic that logs bodies holds the stream unless
// an API diagnostic for the same logger overrides it.
func TestDeriveGlobalDiagnosticOverride(t *testing.T) {
	logs := map[string]*apimdiag.Block{"backend_response": {BodyBytes: 512}}
	quiet := map[string]*apimdiag.Block{"backend_response": {BodyBytes: 0}}
	for _, tt := range []struct {
		name  string
		diags []apimdiag.Diagnostic
		want  string
	}{
		{"global logs bodies", []apimdiag.Diagnostic{{Global: true, Identifier: "applicationinsights", Blocks: logs}}, "hold-all; rules=SSE202"},
		{"overridden for the API", []apimdiag.Diagnostic{{Global: true, Identifier: "applicationinsights", Blocks: logs}, {Identifier: "applicationinsights", Blocks: quiet}}, "stream"},
		{"another logger does not override it", []apimdiag.Diagnostic{{Global: true, Identifier: "applicationinsights", Blocks: logs}, {Identifier: "azuremonitor", Blocks: quiet}}, "hold-all; rules=SSE202"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Derive(Config{Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, APIM: &APIM{Policies: []Policy{{XML: []byte(streamingPolicy)}}, Diagnostics: tt.diags}})
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("behaviour %q, want %q", b, tt.want)
			}
		})
	}
}

func TestDeriveScopeErrors(t *testing.T) {
	frag := `<fragment><set-header name="a" exists-action="delete" /></fragment>`
	for _, tt := range []struct {
		policies []Policy
		want     string
	}{
		{nil, "needs a policy document"},
		{[]Policy{{Scope: apimcheck.API, XML: []byte(inheritPolicy), Source: "a.xml"}, {XML: []byte(inheritPolicy), Source: "b.xml"}}, "a.xml and b.xml are both at api scope: a request path runs one policy per scope"},
		{[]Policy{{Scope: "tenant", XML: []byte(inheritPolicy)}}, `unknown scope "tenant"`},
		{[]Policy{{Scope: apimcheck.Global, XML: []byte(frag), Source: "g.xml"}, {XML: []byte(inheritPolicy)}}, "g.xml (global scope) needs a <policies> root"},
		{[]Policy{{Scope: apimcheck.Global, XML: []byte(streamingPolicy)}, {XML: []byte(frag), Source: "f.xml"}}, "f.xml (api scope) needs a <policies> root"},
	} {
		_, err := Derive(Config{Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, APIM: &APIM{Policies: tt.policies}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v, want %q", err, tt.want)
		}
	}
}

func TestDerivePolicySyntaxErrorNamesTheFile(t *testing.T) {
	_, err := Derive(Config{Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, APIM: &APIM{Policies: []Policy{
		{Scope: apimcheck.Product, XML: []byte("<policies>\n  <backend>\n</policies>"), Source: "product.xml"},
	}}})
	if want := "product.xml:3:1: "; err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "(the product-scope APIM policy)") {
		t.Fatalf("%v, want it to start %q", err, want)
	}
}

// What the hop cannot know (a named value, a fragment) is a warning it
// reports, not a behaviour it makes up.
func TestDeriveReportsWhatItCannotKnow(t *testing.T) {
	policy := `<policies><inbound><include-fragment fragment-id="auth" /></inbound><backend><forward-request buffer-response="{{buffer}}" /></backend></policies>`
	b, err := Derive(Config{Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, APIM: apim(policy)})
	if err != nil {
		t.Fatal(err)
	}
	got := notes(b.Warnings)
	for _, rule := range []string{"SSE130", "SSE106"} {
		if !strings.Contains(got, rule+": ") {
			t.Errorf("warnings %q lack %s", got, rule)
		}
	}
}

// notes joins policy notes as the CLI prints them, one per line.
func notes(ns []PolicyNote) string {
	var out []string
	for _, n := range ns {
		out = append(out, n.String())
	}
	return strings.Join(out, "\n")
}
