package apimpolicy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"empty", "", 1, 1, "the document is empty"},
		{"whitespace only", "  \n\t", 2, 2, "the document is empty"},
		{"comment only", "<!-- x -->\n", 2, 1, "the document is empty"},
		{"unclosed element", "<policies>\n  <inbound>\n</policies>", 3, 1, "</policies> found while <inbound> is still open: <inbound> opened at line 2, column 3"},
		{"unclosed at end", "<policies>\n  <inbound>", 2, 3, "<inbound> is not closed"},
		{"stray end tag", "<policies></policies>\n</x>", 2, 1, "end tag </x> has no matching start tag"},
		{"stray end tag inside", "<policies><inbound></backend></inbound></policies>", 1, 20, "end tag </backend> has no matching start tag (the open element is <inbound>)"},
		{"unterminated attribute", "<policies>\n<inbound a=\"x", 2, 10, "the value of attribute a in <inbound> is not closed"},
		{"unquoted attribute", "<policies a=b/>", 1, 11, "the value of attribute a in <policies> must be in quotes"},
		{"attribute without value", "<policies a/>", 1, 11, "attribute a in <policies> has no value"},
		{"duplicate attribute", "<policies a=\"1\" a=\"2\"/>", 1, 17, "attribute a appears twice in <policies> (first at line 1, column 11)"},
		{"no space between attributes", "<policies a=\"1\"b=\"2\"/>", 1, 16, "expected whitespace, '>' or '/>' after attribute a"},
		{"unterminated expression in attribute", "<policies><inbound><set-variable name=\"x\" value=\"@(context.Variables[&quot;a&quot;]", 1, 50, "unterminated policy expression: no ')' closes this '('"},
		{"unterminated expression in text", "<policies><inbound><set-body>@{ return \"x\"; </set-body></inbound></policies>", 1, 30, "unterminated policy expression: no '}' closes this '{'"},
		{"mismatched bracket in expression", "<policies><inbound><set-body>@(a[0)</set-body></inbound></policies>", 1, 35, "')' does not match the '[' opened at line 1, column 33"},
		{"unterminated string in text expression", "<policies><inbound><set-body>@(\"abc)</set-body>\n</inbound></policies>", 1, 32, "unterminated string literal"},
		{"unterminated comment", "<policies><!-- x", 1, 11, "comment is not closed"},
		{"unterminated cdata", "<policies><![CDATA[x", 1, 11, "CDATA section is not closed"},
		{"unterminated processing instruction", "<?xml version=\"1.0\"", 1, 1, "processing instruction is not closed"},
		{"lone less-than", "<policies>a < b</policies>", 1, 13, "'<' does not start a tag"},
		{"start tag cut off", "<policies", 1, 1, "start tag <policies is not closed"},
		{"end tag cut off", "<policies></policies", 1, 11, "end tag </policies is not closed with '>'"},
		{"wrong root", "<inbound/>", 1, 1, "the root element is <inbound>"},
		{"two roots", "<policies/>\n<policies/>", 2, 1, "a second root element <policies>"},
		{"text outside root", "<policies/>\n  tail", 2, 3, "text outside the root element"},
		{"slash without close", "<policies /x>", 1, 11, "expected '>' after '/' in <policies>"},
		{"deep nesting", "<policies>" + strings.Repeat("<a>", MaxDepth) + "x", 1, 11 + 3*(MaxDepth-1), "nested more than 256 deep"},
		{"over the size limit", "<policies>" + strings.Repeat("\n", MaxDocumentSize), MaxDocumentSize - 9, 1, "over the limit of 1048576 bytes"},
		{"bad expression after BOM", bom + "<policies a=\"@(x", 1, 14, "unterminated policy expression"},
		{"string in expression runs off the end", "<policies a=\"@(\"", 1, 16, "unterminated string literal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.src))
			if err == nil {
				t.Fatalf("parsed without error: %s", dump(doc.Nodes))
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, want *SyntaxError: %v", err, err)
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", se.Msg, tt.msg)
			}
			if se.Pos.Line != tt.line || se.Pos.Column != tt.col {
				t.Errorf("position %d:%d, want %d:%d (%s)", se.Pos.Line, se.Pos.Column, tt.line, tt.col, se.Msg)
			}
		})
	}
}

// TestExpressions checks the C# scanner on the constructs real policies
// use: every case must find exactly one expression, equal to want.
func TestExpressions(t *testing.T) {
	tests := []struct {
		name, expr string
	}{
		{"generic call", `@(context.Variables.GetValueOrDefault<string>("k", ""))`},
		{"logical and", `@(a && b < c)`},
		{"string with paren", `@("(" + x + ")")`},
		{"escaped quote", `@("a\"b)")`},
		{"verbatim string", `@(Regex.Match(h, @"max-age=(?<m>\d+)\"))`},
		{"verbatim doubled quote", `@(@"say ""hi"")")`},
		{"interpolated", `@($"{a}/{b["c"]})")`},
		{"interpolated with format", `@($"{DateTime.UtcNow:yyyy-MM-dd}")`},
		{"interpolated braces", `@($"{{literal}} {x}")`},
		{"verbatim interpolated", `@($@"{a}""{b}")`},
		{"interpolated verbatim", `@(@$"{a}")`},
		{"char literals", `@(s.Split('=')[0].Replace('+', '-').Replace(')', '('))`},
		{"quote char literal", `@(s.Trim('"'))`},
		{"block statement", "@{\n  var x = 1; // don't ) stop\n  /* } */ return x;\n}"},
		{"named value inside", `@{ var k = "{{key}}"; return k; }`},
		{"nested braces", `@{ if (a) { return "}"; } else { return "{"; } }`},
		{"lambda", `@(list.Where(x => x.Length > 2).Count())`},
		{"scope qualifier", `@($"{global::System.DateTime.Now}")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, form := range []struct{ name, doc string }{
				{"attribute", `<policies><inbound><set-variable name="v" value="` + tt.expr + `" /></inbound></policies>`},
				{"text", `<policies><inbound><set-body>` + tt.expr + `</set-body></inbound></policies>`},
			} {
				doc, err := Parse([]byte(form.doc))
				if err != nil {
					t.Fatalf("%s: %v", form.name, err)
				}
				var got []string
				Walk(doc.Nodes, func(n Node, _ []*Element) bool {
					switch n := n.(type) {
					case *Element:
						for _, a := range n.Attrs {
							for _, x := range a.Exprs {
								got = append(got, a.Raw[x.Offset:x.Offset+x.Len])
							}
						}
					case *Text:
						for _, x := range n.Exprs {
							got = append(got, n.Raw[x.Offset:x.Offset+x.Len])
						}
					}
					return true
				})
				if len(got) != 1 || got[0] != tt.expr {
					t.Errorf("%s: found %q, want [%q]", form.name, got, tt.expr)
				}
				if doc.String() != form.doc {
					t.Errorf("%s: round trip changed the document", form.name)
				}
			}
		})
	}
}

func TestLiteralAtSignInText(t *testing.T) {
	// '@(' after other text that does not scan is literal text, as an
	// e-mail address or a smiley would be.
	src := `<policies><inbound><set-body>mail me@(work :-)</set-body></inbound></policies>`
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	body := doc.Section("inbound").Child("set-body")
	if got := body.TextValue(); got != "mail me@(work :-)" {
		t.Fatalf("text %q", got)
	}
	if txt := nodeAs[*Text](t, body.Children[0]); len(txt.Exprs) != 0 || txt.Kind() != Literal {
		t.Fatalf("literal text taken for an expression: %+v", txt.Exprs)
	}
}

func TestRecoveredAttributeExpression(t *testing.T) {
	// The expression misses its ')', but the closing quote is evident from
	// the tag: the document parses and the expression carries the error.
	src := "<policies>\n  <inbound>\n    <set-variable name=\"x\" value=\"@(foo(1)\" />\n  </inbound>\n</policies>"
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Section("inbound").Child("set-variable").Attr("value")
	if a.Raw != "@(foo(1)" || len(a.Exprs) != 1 {
		t.Fatalf("value %q exprs %+v", a.Raw, a.Exprs)
	}
	if want := "unterminated policy expression: no ')' closes this '('"; a.Exprs[0].Err != want || a.Exprs[0].ErrPos.String() != "3:35" {
		t.Fatalf("error %q at %s, want %q at 3:35", a.Exprs[0].Err, a.Exprs[0].ErrPos, want)
	}
}

func TestPositionsWithLineEndingsAndBOM(t *testing.T) {
	for _, tt := range []struct{ name, nl string }{{"LF", "\n"}, {"CRLF", "\r\n"}, {"CR", "\r"}} {
		t.Run(tt.name, func(t *testing.T) {
			src := bom + strings.Join([]string{"<policies>", "\t<inbound>", "\t\t<base /><é-x a=\"ü\" b='@(\"é\")'/>", "\t</inbound>", "</policies>"}, tt.nl)
			doc, err := Parse([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if !doc.BOM || doc.String() != src {
				t.Fatal("BOM or bytes lost in the round trip")
			}
			el := doc.Section("inbound").Child("é-x")
			if got := el.Pos.String(); got != "3:11" {
				t.Errorf("<é-x> at %s, want 3:11", got)
			}
			if got := el.Attr("b").Pos.String(); got != "3:22" {
				t.Errorf("attribute b at %s, want 3:22", got)
			}
			if got := el.Attr("b").Exprs[0].Pos.String(); got != "3:25" {
				t.Errorf("expression at %s, want 3:25", got)
			}
			checkPositions(t, []byte(src), doc.Nodes)
		})
	}
}

func TestMarkupKinds(t *testing.T) {
	src := `<?xml version="1.0"?>` + "\n" + `<!DOCTYPE policies [ <!ENTITY x "y>"> ]>` + "\n" +
		`<policies><inbound><set-body><![CDATA[@(context.Response.Body.As<string[]>()[0])]]></set-body><unknown-policy foo="bar"><nested/></unknown-policy></inbound></policies>`
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if doc.String() != src {
		t.Fatal("round trip changed the document")
	}
	kinds := map[string]int{}
	Walk(doc.Nodes, func(n Node, _ []*Element) bool {
		kinds[strings.TrimPrefix(strings.Split(dump([]Node{n}), " ")[0], "<")]++
		return true
	})
	if _, ok := doc.Nodes[0].(*ProcInst); !ok {
		t.Errorf("first node %T, want *ProcInst", doc.Nodes[0])
	}
	if d, ok := doc.Nodes[2].(*Directive); !ok || !strings.HasSuffix(d.Raw, "]") {
		t.Errorf("third node %T %v, want the whole DOCTYPE", doc.Nodes[2], doc.Nodes[2])
	}
	cd := nodeAs[*CData](t, doc.Section("inbound").Child("set-body").Children[0])
	if len(cd.Exprs) != 1 || cd.Raw[cd.Exprs[0].Offset:cd.Exprs[0].Offset+cd.Exprs[0].Len] != "@(context.Response.Body.As<string[]>()[0])" {
		t.Errorf("CDATA expression not found: %+v in %q", cd.Exprs, cd.Raw)
	}
	if doc.Section("inbound").Child("unknown-policy").Child("nested") == nil {
		t.Error("unknown elements must be kept with their children")
	}
}

func TestParseNodes(t *testing.T) {
	src := "\n  <set-header name=\"a\" exists-action=\"override\"><value>1</value></set-header>\n  <!-- c -->\n  <rate-limit calls=\"1\" renewal-period=\"1\" />\n"
	nodes, err := ParseNodes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if PrintNodes(nodes) != src {
		t.Fatal("round trip changed the nodes")
	}
	var names []string
	for _, n := range nodes {
		if e, ok := n.(*Element); ok {
			names = append(names, e.Name)
		}
	}
	if strings.Join(names, ",") != "set-header,rate-limit" {
		t.Fatalf("elements %v", names)
	}
	if _, err := ParseNodes([]byte("<a>")); err == nil {
		t.Fatal("unclosed element in a node list must fail")
	}
}

// An expression is a whole value: text after it is recorded as an error
// (the checker reports it), in attributes, text and CDATA alike. '@(' in
// the middle of CDATA is literal, as in text.
func TestTextAfterExpression(t *testing.T) {
	src := "<policies>\n<a v=\"@(x) tail\" w=\"@(y)  \"/>\n<b>@(x) tail</b>\n<c><![CDATA[ @(x) tail]]></c>\n<d><![CDATA[see @(context.Response.Body) docs]]></d>\n</policies>"
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	var got []string
	for _, x := range []Expr{
		root.Child("a").Attr("v").Exprs[0],
		root.Child("a").Attr("w").Exprs[0],
		nodeAs[*Text](t, root.Child("b").Children[0]).Exprs[0],
		nodeAs[*CData](t, root.Child("c").Children[0]).Exprs[0],
	} {
		got = append(got, x.ErrPos.String()+" "+x.Err)
	}
	const msg = "text follows the policy expression: an expression must be the whole value"
	want := []string{"2:12 " + msg, "- ", "3:9 " + msg, "4:19 " + msg}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if d := nodeAs[*CData](t, root.Child("d").Children[0]); len(d.Exprs) != 0 {
		t.Fatalf("literal CDATA taken for an expression: %+v", d.Exprs)
	}
	if doc.String() != src {
		t.Fatal("round trip changed the document")
	}
}

// Inputs that once made the parser do quadratic work. The parser counts
// the bytes its expression scans examine and the attribute names it
// compares; that count must stay within a small multiple of the input.
func TestNoQuadraticInputs(t *testing.T) {
	cases := map[string]func(n int) string{
		"CDATA full of @(": func(n int) string {
			return "<policies><inbound><set-body><![CDATA[" + strings.Repeat("@(", n) + "]]></set-body></inbound></policies>"
		},
		"CDATA full of @(/*": func(n int) string {
			return "<policies><set-body><![CDATA[" + strings.Repeat("@(/*", n) + "]]></set-body></policies>"
		},
		"many attributes": func(n int) string {
			var b strings.Builder
			b.WriteString("<policies")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, " a%d=\"\"", i)
			}
			b.WriteString("/>")
			return b.String()
		},
		"many broken expressions in one tag": func(n int) string {
			var b strings.Builder
			b.WriteString("<policies")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, " c%d=\"@((\"", i)
			}
			b.WriteString("/>")
			return b.String()
		},
		"many valid expression attributes in one tag": func(n int) string {
			var b strings.Builder
			b.WriteString("<policies")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, " d%d=\"@(x[\"k\"])\"", i)
			}
			b.WriteString("/>")
			return b.String()
		},
		"text after expressions": func(n int) string {
			return "<policies>" + strings.Repeat("<a>@(x) y</a>", n) + "</policies>"
		},
	}
	for name, gen := range cases {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{100, 10000, 100000} {
				src := gen(n)
				if len(src) > MaxDocumentSize {
					continue
				}
				p, err := newParser([]byte(src), true)
				if err != nil {
					t.Fatal(err)
				}
				_, perr := p.parse()
				if strings.HasPrefix(name, "many valid") && perr != nil {
					t.Fatalf("n=%d: a valid tag does not parse: %v", n, perr)
				}
				if p.work > 8*len(src)+1<<16 {
					t.Fatalf("n=%d: %d bytes cost %d units of work", n, len(src), p.work)
				}
			}
		})
	}
}

// Expressions are judged as APIM compiles them, entities expanded: a ')'
// inside a string written with &quot; does not end the expression early,
// and an error inside such a value is placed where its bytes stand.
func TestExpressionJudgedUnescaped(t *testing.T) {
	src := "<policies>\n" +
		`<a v="@(s == &quot;)&quot;)" w="@(&quot;abc)" x="@('&amp;&amp;&amp;')"/>` + "\n" +
		"<b>@(\"&lt;\" + '&amp;')</b>\n" +
		"</policies>"
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Root().Child("a")
	if x := a.Attr("v").Exprs[0]; x.Err != "" || x.Code(a.Attr("v").Raw) != `@(s == ")")` {
		t.Errorf("v: %q %q", x.Err, x.Code(a.Attr("v").Raw))
	}
	if x := a.Attr("w").Exprs[0]; x.Err != "unterminated string literal in policy expression" || x.ErrPos.String() != "2:35" {
		t.Errorf("w: %q at %s, want the string opened by &quot; at 2:35", x.Err, x.ErrPos)
	}
	if x := a.Attr("x").Exprs[0]; x.Err != "" {
		t.Errorf("x: %q", x.Err)
	}
	if x := nodeAs[*Text](t, doc.Root().Child("b").Children[0]).Exprs[0]; x.Err != "" {
		t.Errorf("b: %q", x.Err)
	}
}

// Attribute boundaries are APIM's: each expression attribute ends at the
// quote after its expression, whatever the attributes after it hold (raw
// '<', '"', "&&"). A raw '<' in a later attribute once made the tag look
// unclosed, so the first expression swallowed the rest of the tag.
func TestAttributeBoundariesWithRawMarkupLater(t *testing.T) {
	tests := []struct {
		name string
		tag  string
		want map[string]string
	}{
		{"rate limit with a status condition",
			`<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)" />`,
			map[string]string{"calls": "10", "renewal-period": "60", "counter-key": "@(context.Request.IpAddress)", "increment-condition": "@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)"}},
		{"less-than in the second of two expressions",
			`<set-variable name="@(1)" value="@(a < b)" />`,
			map[string]string{"name": "@(1)", "value": "@(a < b)"}},
		{"raw quotes and less-than after a plain expression",
			`<set-variable name="@(x)" value="@(context.Variables.GetValueOrDefault<string>("k", "") == "a")" />`,
			map[string]string{"name": "@(x)", "value": `@(context.Variables.GetValueOrDefault<string>("k", "") == "a")`}},
		{"three expressions, the last with a generic call",
			`<x a="@(1)" b='@(2 < 3)' c="@(d.As<JObject>()["e"])">t</x>`,
			map[string]string{"a": "@(1)", "b": "@(2 < 3)", "c": `@(d.As<JObject>()["e"])`}},
		{"literal between expressions",
			`<x a="@(1)" b="plain" c="@(p < q && r > s)"/>`,
			map[string]string{"a": "@(1)", "b": "plain", "c": "@(p < q && r > s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "<policies><inbound>" + tt.tag + "</inbound></policies>"
			doc, err := Parse([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			e := doc.Section("inbound").Elements()[0]
			if len(e.Attrs) != len(tt.want) {
				t.Fatalf("%d attributes, want %d: %s", len(e.Attrs), len(tt.want), dump([]Node{e}))
			}
			for _, a := range e.Attrs {
				if a.Raw != tt.want[a.Name] {
					t.Errorf("%s = %q, want %q", a.Name, a.Raw, tt.want[a.Name])
				}
				for _, x := range a.Exprs {
					if x.Err != "" {
						t.Errorf("%s: expression error %q", a.Name, x.Err)
					}
				}
			}
			if doc.String() != src {
				t.Fatal("round trip changed the document")
			}
		})
	}
}

// An XML comment inside a policy expression in element text is a comment,
// as APIM's XML reader takes it: what it holds (an apostrophe, a quote, a
// bracket) is not C#.
func TestXMLCommentInTextExpression(t *testing.T) {
	tests := []struct{ name, text string }{
		{"apostrophe", "@{ <!-- note: don't do this --> var x = 1; return \"a\"; }"},
		{"multi-line with a quote and a brace", "@{\n    <!-- the \"old\" way: } -->\n    return context.Request.Url.Path;\n}"},
		{"comment as the last thing", "@(context.Request.Method <!-- ( -->)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "<policies><inbound><set-body>" + tt.text + "</set-body></inbound></policies>"
			doc, err := Parse([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			txt, ok := doc.Section("inbound").Child("set-body").Children[0].(*Text)
			if !ok || len(txt.Exprs) != 1 {
				t.Fatalf("want one text expression, got %s", dump(doc.Section("inbound").Children))
			}
			if x := txt.Exprs[0]; x.Err != "" || txt.Raw[x.Offset:x.Offset+x.Len] != tt.text {
				t.Fatalf("expression %q, error %q", txt.Raw[x.Offset:x.Offset+x.Len], x.Err)
			}
			if doc.String() != src {
				t.Fatal("round trip changed the document")
			}
		})
	}
	_, err := Parse([]byte("<policies><set-body>@{ <!-- open ( </set-body></policies>"))
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "XML comment in policy expression is not closed") || se.Pos.String() != "1:24" {
		t.Fatalf("unclosed comment: %v", err)
	}
}

// nodeAs returns n as a T, or fails the test.
func nodeAs[T Node](t *testing.T, n Node) T {
	t.Helper()
	v, ok := n.(T)
	if !ok {
		t.Fatalf("node %T, want %T", n, v)
	}
	return v
}
