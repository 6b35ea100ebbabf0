package apimpolicy

import (
	"errors"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

func addSeeds(f *testing.F) {
	for _, c := range testcorpus.APIMPolicies() {
		f.Add(c.Data)
	}
	for _, s := range []string{
		"", "<policies/>", "<policies><inbound><base /></inbound></policies>",
		`<policies a="@(x`, `<policies><inbound><set-body>@{ "}" </set-body>`,
		"<policies>\r\n<!-- -- -->\r<![CDATA[]]>\n</policies>",
		`<fragment><set-variable name="a" value="@($"{b:D}{{")" /></fragment>`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzParse: any input either parses, and then prints back to itself and
// reparses to the same tree with sound positions, or fails with a
// *SyntaxError that has a position inside the input. Never a panic.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
			}
			if se.Pos.Line < 1 || se.Pos.Column < 1 || se.Pos.Offset < 0 || se.Pos.Offset > len(src) {
				t.Fatalf("error position %+v outside the input (%d bytes)", se.Pos, len(src))
			}
			return
		}
		out := doc.String()
		if out != string(src) {
			t.Fatalf("print(parse(x)) != x at byte %d", firstDiff(out, string(src)))
		}
		again, err := Parse([]byte(out))
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if dump(doc.Nodes) != dump(again.Nodes) {
			t.Fatal("reparse gave another tree")
		}
		checkPositions(t, src, doc.Nodes)
	})
}

// FuzzParseNodes is FuzzParse for node lists, which have no root rules.
func FuzzParseNodes(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		nodes, err := ParseNodes(src)
		if err != nil {
			return
		}
		if out := PrintNodes(nodes); out != string(src) {
			t.Fatalf("print(parse(x)) != x at byte %d", firstDiff(out, string(src)))
		}
	})
}

// FuzzPrint: any string set through the tree (attribute and text) comes
// back unchanged after printing and parsing, and the rest of the document
// is untouched.
func FuzzPrint(f *testing.F) {
	for _, s := range []string{"", "a", `"'<>&`, "]]>", "x\r\ny\tz", "@(x)", "{{v}}", "\x00", "\xff"} {
		f.Add(s)
	}
	const src = "<policies>\n  <inbound>\n    <set-header name=\"h\" exists-action=\"override\"><value>v</value></set-header>\n  </inbound>\n</policies>\n"
	f.Fuzz(func(t *testing.T, v string) {
		if strings.ContainsRune(v, 0) {
			// NUL cannot be written in XML 1.0 at all; the generator refuses it.
			return
		}
		if err := ValidateValue(v); err != nil {
			// Not a literal, and not a valid expression: the generator
			// refuses it with this error (see TestValidateValue).
			return
		}
		doc, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		h := doc.Section("inbound").Child("set-header")
		h.SetAttr("name", v)
		h.SetAttr("added", v)
		value := h.Child("value")
		value.Children = []Node{NewText(v)}
		out := doc.String()
		again, err := Parse([]byte(out))
		if err != nil {
			t.Fatalf("printed document does not parse: %v\n%s", err, out)
		}
		h2 := again.Section("inbound").Child("set-header")
		if got := h2.Attr("name").Value(); got != v {
			t.Fatalf("attribute value %q, want %q", got, v)
		}
		if got := h2.Attr("added").Value(); got != v {
			t.Fatalf("added attribute value %q, want %q", got, v)
		}
		var text strings.Builder
		for _, c := range h2.Child("value").Children {
			if tx, ok := c.(*Text); ok {
				text.WriteString(Unescape(tx.Raw))
			}
		}
		if text.String() != v {
			t.Fatalf("text %q, want %q", text.String(), v)
		}
		if !strings.HasPrefix(out, "<policies>\n  <inbound>\n    <set-header name=\"") || !strings.HasSuffix(out, "</set-header>\n  </inbound>\n</policies>\n") {
			t.Fatalf("bytes outside the edit changed:\n%s", out)
		}
	})
}
