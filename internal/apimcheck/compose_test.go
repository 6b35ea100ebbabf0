package apimcheck

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

func scoped(t *testing.T, scope Scope, src string) ScopedPolicy {
	t.Helper()
	doc, err := apimpolicy.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return ScopedPolicy{Scope: scope, Doc: doc, Name: string(scope) + ".xml"}
}

// One composition for the checker and the emulator: the scopes given,
// over APIM's global default when no global policy is given.
func TestComposeBackendVerdict(t *testing.T) {
	const (
		streaming = `<policies><backend><forward-request timeout="60" buffer-response="false" /></backend></policies>`
		buffering = `<policies><backend><forward-request timeout="60" /></backend></policies>`
		inherits  = `<policies><backend><base /></backend></policies>`
		viaFrag   = `<policies><backend><include-fragment fragment-id="f" /></backend></policies>`
	)
	tests := []struct {
		name        string
		ps          func(t *testing.T) []ScopedPolicy
		verdict     BackendVerdict
		overDefault bool
	}{
		{"an operation that inherits, alone: the default buffers", func(t *testing.T) []ScopedPolicy {
			return []ScopedPolicy{scoped(t, Operation, inherits)}
		}, BackendBuffers, true},
		{"a streaming API under it", func(t *testing.T) []ScopedPolicy {
			return []ScopedPolicy{scoped(t, Operation, inherits), scoped(t, API, streaming)}
		}, BackendStreams, true},
		{"a streaming global, every scope inheriting", func(t *testing.T) []ScopedPolicy {
			return []ScopedPolicy{scoped(t, Global, streaming), scoped(t, Product, inherits), scoped(t, API, inherits), scoped(t, Operation, inherits)}
		}, BackendStreams, false},
		{"a buffering product", func(t *testing.T) []ScopedPolicy {
			return []ScopedPolicy{scoped(t, Product, buffering), scoped(t, API, inherits)}
		}, BackendBuffers, true},
		{"forwarding through a fragment not given", func(t *testing.T) []ScopedPolicy {
			return []ScopedPolicy{scoped(t, API, viaFrag)}
		}, BackendUncertain, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compose(tt.ps(t))
			if err != nil {
				t.Fatal(err)
			}
			if v, why := c.Backend(Options{}); v != tt.verdict || c.OverDefault != tt.overDefault {
				t.Fatalf("verdict %v over default %v (%v), want %v %v", v, c.OverDefault, why, tt.verdict, tt.overDefault)
			}
		})
	}
	// The forward-request in force is found in the document that holds it.
	c, err := Compose([]ScopedPolicy{scoped(t, Operation, inherits), scoped(t, Product, streaming)})
	if err != nil {
		t.Fatal(err)
	}
	fwd := c.Doc.Section("backend").Child("forward-request")
	if src, ok := c.Source(fwd); !ok || src.Scope != Product || c.RunsDefaultForward() {
		t.Fatalf("source %+v %v, default %v", src, ok, c.RunsDefaultForward())
	}
}

func TestComposeErrors(t *testing.T) {
	const p = `<policies><backend><base /></backend></policies>`
	if _, err := Compose([]ScopedPolicy{scoped(t, API, p), scoped(t, "", p)}); err == nil ||
		!strings.Contains(err.Error(), "api.xml and .xml are both at api scope: a request path runs one policy per scope") {
		t.Fatalf("two at one scope: %v", err)
	}
	if _, err := Compose(nil); err == nil {
		t.Fatal("no policy composed")
	}
	frag := scoped(t, API, `<fragment><base /></fragment>`)
	if _, err := Compose([]ScopedPolicy{frag, scoped(t, Operation, p)}); err == nil || !strings.Contains(err.Error(), "no <policies> root") {
		t.Fatalf("a fragment among scopes: %v", err)
	}
	if c, err := Compose([]ScopedPolicy{frag}); err != nil || c.Doc != frag.Doc {
		t.Fatalf("a fragment alone stands as it is: %v", err)
	}
}

// A finding of a composition is traced to the document that holds its
// element, with that document's line and column.
func TestCheckCompositionTracesFindings(t *testing.T) {
	global := scoped(t, Global, "<policies>\n<backend>\n<forward-request timeout=\"60\" />\n</backend>\n<outbound><base /></outbound>\n</policies>")
	api := scoped(t, API, "<policies>\n<backend><base /></backend>\n<outbound>\n<base />\n<validate-content unspecified-content-type-action=\"prevent\" max-size=\"1\" size-exceeded-action=\"prevent\" />\n</outbound>\n</policies>")
	op := scoped(t, Operation, "<policies><inbound><cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" /></inbound><backend><base /></backend><outbound><base /></outbound></policies>")
	c, err := Compose([]ScopedPolicy{op, api, global})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range CheckComposition(&c, Options{}) {
		src := "default"
		if f.Source != nil {
			src = f.Source.Name
		}
		got = append(got, fmt.Sprintf("%s %s %d:%d %s", f.Rule, f.Severity, f.Line, f.Column, src))
	}
	sort.Strings(got)
	want := []string{
		"SSE101 error 3:1 global.xml",
		"SSE110 error 5:1 api.xml",
		"SSE120 error 1:20 operation.xml",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
