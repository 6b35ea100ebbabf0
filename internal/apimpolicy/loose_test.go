package apimpolicy

import (
	"errors"
	"strings"
	"testing"
)

// A snippet file (policies with no <policies> or <fragment> root) parses
// loosely as a rootless document; what APIM would refuse for any other
// reason stays an error with its place; Parse stays strict.
func TestParseLoose(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		rootless bool
		err      string // "" when it parses; else the message and "@line:col"
	}{
		{name: "one policy", src: "<set-header name=\"a\" exists-action=\"override\"><value>1</value></set-header>\n", rootless: true},
		{name: "several policies and comments", src: "<!-- snippet -->\n<rate-limit calls=\"1\" renewal-period=\"1\" />\n<forward-request />\n", rootless: true},
		{name: "a whole document", src: "<policies><inbound /></policies>"},
		{name: "a fragment", src: "<fragment><base /></fragment>"},
		{name: "end tag without start", src: "<set-header name=\"a\"></set-header>\n</value>", err: "end tag </value> has no matching start tag@2:1"},
		{name: "policy left open", src: "<choose>\n<when condition=\"@(true)\">", err: "<when> is not closed@2:1"},
		{name: "text between policies", src: "<a />\nloose words\n<b />", err: "text outside any policy element@2:1"},
		{name: "policies beside a root", src: "<policies />\n<forward-request />", err: "a second root element <forward-request>@2:1"},
		{name: "empty", src: "<!-- nothing -->", err: "the document is empty@1:17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseLoose([]byte(tt.src))
			if tt.err != "" {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("got %v, want a syntax error %q", err, tt.err)
				}
				msg, at, _ := strings.Cut(tt.err, "@")
				if !strings.Contains(se.Msg, msg) || se.Pos.String() != at {
					t.Fatalf("error %q at %s, want %q at %s", se.Msg, se.Pos, msg, at)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Rootless != tt.rootless || (doc.Root() == nil) != tt.rootless {
				t.Fatalf("rootless %v, root %v; want rootless %v", doc.Rootless, doc.Root(), tt.rootless)
			}
			if doc.String() != tt.src {
				t.Fatal("round trip changed the document")
			}
			if _, strictErr := Parse([]byte(tt.src)); (strictErr != nil) != tt.rootless {
				t.Fatalf("Parse: %v; a rootless file must be refused by Parse and only by it", strictErr)
			}
		})
	}
}

// Code.Pos places a byte of an expression's code where it stands in the
// document, across lines and entities.
func TestCodePositions(t *testing.T) {
	src := "<policies>\n<a v=\"@(x &amp;&amp; context.Response.Body)\">@{\n  var r = context.Response;\n}</a>\n<b><![CDATA[@(c &amp;&amp; d)]]></b></policies>"
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Root().Child("a")
	attr := a.Attr("v").ExprCode(0)
	if attr.Text != "@(x && context.Response.Body)" {
		t.Fatalf("attribute code %q", attr.Text)
	}
	if got := attr.Pos(strings.Index(attr.Text, "context")).String(); got != "2:22" {
		t.Errorf("context in the attribute at %s, want 2:22", got)
	}
	txt, ok := a.Children[0].(*Text)
	if !ok {
		t.Fatalf("first child %T", a.Children[0])
	}
	text := txt.ExprCode(0)
	if got := text.Pos(strings.Index(text.Text, "context")).String(); got != "3:11" {
		t.Errorf("context in the text at %s, want 3:11", got)
	}
	cdata, ok := doc.Root().Child("b").Children[0].(*CData)
	if !ok {
		t.Fatal("no CDATA")
	}
	cd := cdata.ExprCode(0)
	if cd.Text != "@(c &amp;&amp; d)" {
		t.Errorf("CDATA code %q: CDATA holds no entities", cd.Text)
	}
	if got := cd.Pos(strings.Index(cd.Text, "d)")).String(); got != "5:28" {
		t.Errorf("d in the CDATA at %s, want 5:28", got)
	}
}
