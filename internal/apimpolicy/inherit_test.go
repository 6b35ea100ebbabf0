package apimpolicy

import (
	"strings"
	"testing"
)

func TestInherit(t *testing.T) {
	const global = `<policies>
	<inbound><set-header name="g-in" exists-action="override"><value>1</value></set-header></inbound>
	<backend><forward-request buffer-response="false" /></backend>
	<outbound><validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" /></outbound>
	<on-error />
</policies>`
	for _, tt := range []struct {
		name, child, want string
	}{
		{
			name:  "base in every section pulls in the parent's",
			child: `<policies><inbound><base /><rate-limit calls="5" renewal-period="1" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
			want:  `<policies><inbound><set-header name="g-in" exists-action="override"><value>1</value></set-header><rate-limit calls="5" renewal-period="1" /></inbound><backend><forward-request buffer-response="false" /></backend><outbound><validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" /></outbound><on-error></on-error></policies>`,
		},
		{
			name:  "a section without base does not run the parent's",
			child: `<policies><inbound /><backend><forward-request timeout="60" /></backend><outbound><set-header name="x" exists-action="delete" /></outbound></policies>`,
			want:  `<policies><inbound /><backend><forward-request timeout="60" /></backend><outbound><set-header name="x" exists-action="delete" /></outbound></policies>`,
		},
		{
			name:  "base inside choose, comments kept",
			child: `<policies><!-- c --><backend><choose><when condition="@(true)"><base /></when><otherwise><forward-request /></otherwise></choose></backend></policies>`,
			want:  `<policies><!-- c --><backend><choose><when condition="@(true)"><forward-request buffer-response="false" /></when><otherwise><forward-request /></otherwise></choose></backend></policies>`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, c := mustParse(t, global), mustParse(t, tt.child)
			before := c.String()
			got, err := Inherit(p, c)
			if err != nil {
				t.Fatal(err)
			}
			if s := compact(got.String()); s != tt.want {
				t.Errorf("got\n%s\nwant\n%s", s, tt.want)
			}
			if c.String() != before {
				t.Error("Inherit changed the child document")
			}
			if compact(p.String()) != compact(global) {
				t.Error("Inherit changed the parent document")
			}
		})
	}
}

func TestInheritRejectsFragments(t *testing.T) {
	frag := mustParse(t, `<fragment><set-header name="a" exists-action="delete" /></fragment>`)
	pol := mustParse(t, `<policies><backend><base /></backend></policies>`)
	for _, tt := range []struct{ parent, child *Document }{{frag, pol}, {pol, frag}} {
		if _, err := Inherit(tt.parent, tt.child); err == nil || !strings.Contains(err.Error(), "no <policies> root") {
			t.Errorf("err = %v", err)
		}
	}
}

func mustParse(t *testing.T, s string) *Document {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// compact drops the whitespace between tags, for comparing structure.
func compact(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		b.WriteString(strings.TrimSpace(line))
	}
	return b.String()
}
