package apimpolicy

import (
	"slices"
	"testing"
)

func TestIncludes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"one per section, in order", `<policies><inbound><include-fragment fragment-id="auth" /></inbound><backend><include-fragment fragment-id=" route " /></backend><outbound /><on-error /></policies>`, []string{"auth", "route"}},
		{"a commented-out include is no include", `<policies><inbound><!-- <include-fragment fragment-id="old" /> --><include-fragment fragment-id="auth" /></inbound></policies>`, []string{"auth"}},
		{"CDATA is no include", `<policies><inbound><set-body><![CDATA[<include-fragment fragment-id="x"/>]]></set-body></inbound></policies>`, nil},
		{"inside a choose branch", `<policies><inbound><choose><when condition="@(true)"><include-fragment fragment-id='a' /></when></choose></inbound></policies>`, []string{"a"}},
		{"no fragment-id", `<policies><inbound><include-fragment /></inbound></policies>`, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, inc := range Includes(doc.Nodes) {
				got = append(got, inc.ID)
				if inc.Element == nil || inc.Element.Name != "include-fragment" {
					t.Errorf("include %q has element %v", inc.ID, inc.Element)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Includes = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIncludedIDsFollowsFragments(t *testing.T) {
	parse := func(s string) *Document {
		d, err := ParseLoose([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	frags := map[string]*Document{
		"a": parse(`<fragment><include-fragment fragment-id="b" /><include-fragment fragment-id="a" /></fragment>`),
		"b": parse(`<fragment><include-fragment fragment-id="gone" /></fragment>`),
		"c": parse(`<fragment />`),
	}
	api := parse(`<policies><inbound><include-fragment fragment-id="a" /><!-- <include-fragment fragment-id="c" /> --></inbound></policies>`)
	ids, missing := IncludedIDs([]*Document{api}, func(id string) *Document { return frags[id] })
	if !slices.Equal(ids, []string{"a", "b"}) || !slices.Equal(missing, []string{"gone"}) {
		t.Errorf("IncludedIDs = %q, missing %q; want [a b], missing [gone]", ids, missing)
	}
}
