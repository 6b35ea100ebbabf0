package apimpolicy

import "testing"

// String returns the source of an unedited document; every edit, even one
// that keeps the length, must print.
func TestStringSeesEveryEdit(t *testing.T) {
	const src = "\xef\xbb\xbf<policies>\n\t<inbound a=\"1\" b='2'><!--c--><x/>text</inbound >\n</policies>"
	edits := []struct {
		name string
		edit func(d *Document)
		want string
	}{
		{"none", func(*Document) {}, src},
		{"text, same length", func(d *Document) {
			if txt, ok := d.Root().Child("inbound").Children[2].(*Text); ok {
				txt.Raw = "TEXT"
			}
		}, "\xef\xbb\xbf<policies>\n\t<inbound a=\"1\" b='2'><!--c--><x/>TEXT</inbound >\n</policies>"},
		{"quote", func(d *Document) {
			d.Root().Child("inbound").Attr("b").Quote = '"'
		}, "\xef\xbb\xbf<policies>\n\t<inbound a=\"1\" b=\"2\"><!--c--><x/>text</inbound >\n</policies>"},
		{"layout left to the printer", func(d *Document) {
			a := d.Root().Child("inbound").Attr("a")
			a.Space, a.Eq = "", ""
		}, src},
		{"no BOM", func(d *Document) { d.BOM = false },
			"<policies>\n\t<inbound a=\"1\" b='2'><!--c--><x/>text</inbound >\n</policies>"},
		{"a node fewer", func(d *Document) {
			in := d.Root().Child("inbound")
			in.Children = in.Children[:2]
		}, "\xef\xbb\xbf<policies>\n\t<inbound a=\"1\" b='2'><!--c--><x/></inbound >\n</policies>"},
		{"the end cut", func(d *Document) {
			d.Root().Children = d.Root().Children[:1]
		}, "\xef\xbb\xbf<policies>\n\t</policies>"},
	}
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(doc)
			if got := doc.String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
