package apimpolicy

import (
	"strings"
	"testing"
)

func TestSetAttrChangesOnlyItsBytes(t *testing.T) {
	src := "<policies>\n  <backend>\n    <forward-request   timeout='60'\n        buffer-response = 'true'  />\n  </backend>\n</policies>"
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fr := doc.Section("backend").Child("forward-request")
	fr.SetAttr("buffer-response", "false")
	want := strings.Replace(src, "'true'", "'false'", 1)
	if got := doc.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// A new attribute follows the one-per-line layout of the tag.
	fr.SetAttr("fail-on-error-status-code", "true")
	want = strings.Replace(want, "'false'  />", "'false'\n        fail-on-error-status-code=\"true\"  />", 1)
	if got := doc.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSetAttrEscapesForTheQuoteInUse(t *testing.T) {
	doc, err := Parse([]byte(`<policies a='x'/>`))
	if err != nil {
		t.Fatal(err)
	}
	doc.Root().SetAttr("a", `it's "<&>"`)
	again, err := Parse(doc.Bytes())
	if err != nil {
		t.Fatalf("reparse %s: %v", doc, err)
	}
	if got := again.Root().Attr("a").Value(); got != `it's "<&>"` {
		t.Fatalf("value %q after reparse of %s", got, doc)
	}
}

// Every string that code puts into a document is escaped: quotes, '<',
// '&', "]]>" and line breaks come back unchanged after a parse.
func TestEscapingRoundTrip(t *testing.T) {
	values := []string{
		`plain`,
		`"double" and 'single'`,
		`a < b && c > d`,
		`]]> and <![CDATA[`,
		"line one\nline two\r\nthree\tfour",
		`&amp; literally`,
		`<!-- not a comment -->`,
		`{{named-value}}`,
		"unicode é 😀",
	}
	for _, v := range values {
		root := NewElement("policies")
		el := NewElement("set-header", "name", v, "exists-action", "override")
		value := &Element{Name: "value"}
		value.Append(NewText(v))
		el.Append(value)
		root.Append(el)
		doc := &Document{Nodes: []Node{root}}
		src := doc.String()
		again, err := Parse([]byte(src))
		if err != nil {
			t.Fatalf("%q: reparse of %s: %v", v, src, err)
		}
		got := again.Root().Child("set-header")
		if a := got.Attr("name").Value(); a != v {
			t.Errorf("attribute: got %q, want %q (xml %s)", a, v, src)
		}
		if txt := got.Child("value").TextValue(); txt != strings.TrimSpace(v) {
			t.Errorf("text: got %q, want %q (xml %s)", txt, v, src)
		}
		if strings.Contains(src, "]]>") {
			t.Errorf("escaped output holds ]]>: %s", src)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := map[string]string{
		"a &amp;&amp; b":    "a && b",
		"&lt;x&gt;":         "<x>",
		"&#65;&#x42;&#X43;": "ABC",
		"a && b":            "a && b",
		"&unknown;":         "&unknown;",
		"&#0;":              "&#0;",
		"&#xD800;":          "&#xD800;",
		"trailing &":        "trailing &",
	}
	for in, want := range tests {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValueKinds(t *testing.T) {
	// An expression is a whole value; '@(' later in a value is literal.
	doc, err := Parse([]byte(`<policies a="true" b="{{flag}}" c="@(true)" d="x @(y) z" e=" @{ return 1; }"/>`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ValueKind{"a": Literal, "b": NamedValue, "c": Expression, "d": Literal, "e": Expression}
	for name, kind := range want {
		if got := doc.Root().Attr(name).Kind(); got != kind {
			t.Errorf("%s: kind %v, want %v", name, got, kind)
		}
	}
}

func TestValidateValue(t *testing.T) {
	tests := []struct {
		value string
		err   string
	}{
		{"plain", ""},
		{"a @( b", ""},
		{"@(context.Request.Headers.GetValueOrDefault(\"a\", \"\"))", ""},
		{"  @{ return \")\"; }", ""},
		{"@(", "starts with @(, so APIM reads it as a policy expression, and it is not a valid one: line 1, column 1: unterminated policy expression"},
		{"@{ \"x }", "unterminated string literal"},
		{`@("x") trailing`, "not a valid one: line 1, column 8: text follows the policy expression: an expression must be the whole value"},
		{"@(x)  \n", ""},
	}
	for _, tt := range tests {
		err := ValidateValue(tt.value)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tt.value, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.value, err, tt.err)
		}
	}
}

// An expression is the whole value, so its code is right even where the
// quotes inside it were written as entities.
func TestExpressionCodeWithEntities(t *testing.T) {
	doc, err := Parse([]byte(`<policies a="@(s == &quot;)&quot;)" />`))
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Root().Attr("a")
	if got := a.Exprs[0].Code(a.Raw); got != `@(s == ")")` {
		t.Fatalf("code %q", got)
	}
}

func TestCheckChars(t *testing.T) {
	tests := []struct {
		src, err string
	}{
		{"<a>ok\t\r\n é 😀</a>", ""},
		{"<a>\n  x\x00</a>", "line 2, column 4: the character U+0000 cannot stand in an XML document"},
		{"<a \x01/>", "line 1, column 4: the character U+0001"},
		{"<a>\uFFFE</a>", "line 1, column 4: the character U+FFFE"},
		{"<a>\xff</a>", "line 1, column 4: the byte 0xFF, which is not UTF-8, cannot stand"},
	}
	for _, tt := range tests {
		err := CheckChars([]byte(tt.src))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.src, err)
		case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.src, err, tt.err)
		}
	}
}
