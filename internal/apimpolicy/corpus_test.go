package apimpolicy

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

// TestCorpus walks every real policy file: it must parse, print back to
// the same bytes, and parse again to the same tree.
func TestCorpus(t *testing.T) {
	files := testcorpus.APIMPolicies()
	if len(files) < 59 {
		t.Fatalf("corpus has %d files, want the 59 of the snippets repository", len(files))
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			doc, err := Parse(f.Data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			printed := doc.String()
			if printed != string(f.Data) {
				t.Fatalf("print(parse(x)) differs from x at byte %d", firstDiff(printed, string(f.Data)))
			}
			again, err := Parse([]byte(printed))
			if err != nil {
				t.Fatalf("parse(print(parse(x))): %v", err)
			}
			if a, b := dump(doc.Nodes), dump(again.Nodes); a != b {
				t.Fatalf("trees differ after a round trip:\n%s\n---\n%s", a, b)
			}
			checkPositions(t, f.Data, doc.Nodes)
		})
	}
}

// checkPositions compares every node's line and column with a count made
// here from the bytes, independently of the parser's line index.
func checkPositions(t *testing.T, src []byte, nodes []Node) {
	t.Helper()
	Walk(nodes, func(n Node, _ []*Element) bool {
		p := n.Start()
		want := countPos(src, p.Offset)
		if p.Line != want.Line || p.Column != want.Column {
			t.Errorf("%T at offset %d: position %d:%d, counted %d:%d", n, p.Offset, p.Line, p.Column, want.Line, want.Column)
		}
		if e, ok := n.(*Element); ok {
			if !strings.HasPrefix(string(src[p.Offset:]), "<"+e.Name) {
				t.Errorf("<%s> position %s does not point at its start tag", e.Name, p)
			}
			for _, a := range e.Attrs {
				if !strings.HasPrefix(string(src[a.Pos.Offset:]), a.Name) {
					t.Errorf("attribute %s position %s does not point at its name", a.Name, a.Pos)
				}
			}
		}
		return true
	})
}

func countPos(src []byte, off int) Pos {
	line, col := 1, 1
	s := string(src[:off])
	s = strings.TrimPrefix(s, bom)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		line += strings.Count(s, "\n")
		s = s[i+1:]
	}
	col += utf8.RuneCountInString(s)
	return Pos{Offset: off, Line: line, Column: col}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// dump renders a tree's structure, without positions, for comparisons.
func dump(nodes []Node) string {
	var b strings.Builder
	var rec func(nodes []Node, depth int)
	rec = func(nodes []Node, depth int) {
		ind := strings.Repeat("  ", depth)
		for _, n := range nodes {
			switch n := n.(type) {
			case *Element:
				fmt.Fprintf(&b, "%s<%s self=%v tag=%q end=%q>\n", ind, n.Name, n.SelfClosing, n.TagSpace, n.EndSpace)
				for _, a := range n.Attrs {
					fmt.Fprintf(&b, "%s  @%s space=%q eq=%q q=%c raw=%q exprs=%s\n", ind, a.Name, a.Space, a.Eq, a.Quote, a.Raw, dumpExprs(a.Exprs))
				}
				rec(n.Children, depth+1)
			case *Text:
				fmt.Fprintf(&b, "%stext %q exprs=%s\n", ind, n.Raw, dumpExprs(n.Exprs))
			case *Comment:
				fmt.Fprintf(&b, "%scomment %q\n", ind, n.Raw)
			case *CData:
				fmt.Fprintf(&b, "%scdata %q exprs=%s\n", ind, n.Raw, dumpExprs(n.Exprs))
			case *ProcInst:
				fmt.Fprintf(&b, "%spi %q\n", ind, n.Raw)
			case *Directive:
				fmt.Fprintf(&b, "%sdirective %q\n", ind, n.Raw)
			}
		}
	}
	rec(nodes, 0)
	return b.String()
}

func dumpExprs(xs []Expr) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%d+%d", x.Offset, x.Len)
		if x.Err != "" {
			parts[i] += "!"
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// TestCorpusExpressions pins facts about the corpus that the tolerant
// scanner must get right: expressions with unescaped '"', '<' and "&&"
// inside double-quoted attributes are found whole.
func TestCorpusExpressions(t *testing.T) {
	byName := map[string][]byte{}
	for _, f := range testcorpus.APIMPolicies() {
		byName[f.Name] = f.Data
	}
	tests := []struct {
		file, element, attr, want string
	}{
		{
			file:    "Filter response content based on product name.policy.xml",
			element: "when", attr: "condition",
			want: `@(context.Response.StatusCode == 200 && context.Product.Name.Equals("Starter"))`,
		},
		{
			file:    "oauth-proxy/oauth-proxy-sign-in.xml",
			element: "set-variable", attr: "value",
			want: `@(Uri.UnescapeDataString(context.Request.Url.Query.GetValueOrDefault("redirect", string.Empty)))`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := Parse(byName[tt.file])
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			Walk(doc.Nodes, func(n Node, _ []*Element) bool {
				if e, ok := n.(*Element); ok && e.Name == tt.element {
					if a := e.Attr(tt.attr); a != nil && len(a.Exprs) == 1 {
						got = append(got, a.Exprs[0].Code(a.Raw))
					}
				}
				return true
			})
			for _, g := range got {
				if g == tt.want {
					return
				}
			}
			t.Fatalf("no <%s %s> holds the expression %s; found %q", tt.element, tt.attr, tt.want, got)
		})
	}
}

// The snippets repository has one policy whose expression was mangled
// (its C# strings run across lines). The XML around it is intact, so the
// document parses and the expression carries its error for the rules.
func TestCorpusMangledExpressionIsKeptWithItsError(t *testing.T) {
	var data []byte
	for _, f := range testcorpus.APIMPolicies() {
		if f.Name == "Call out to an HTTP endpoint and cache the response.policy.xml" {
			data = f.Data
		}
	}
	doc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var rewrite *Element
	Walk(doc.Nodes, func(n Node, _ []*Element) bool {
		if e, ok := n.(*Element); ok && e.Name == "rewrite-uri" {
			rewrite = e
		}
		return true
	})
	if rewrite == nil {
		t.Fatal("no <rewrite-uri> found: the tag after the mangled expression was lost")
	}
	a := rewrite.Attr("template")
	if a == nil || len(a.Exprs) != 1 || a.Exprs[0].Err == "" {
		t.Fatalf("template attribute: want one expression with an error, got %+v", a)
	}
	if !strings.HasSuffix(a.Raw, `{lng}";}`) || len(rewrite.Attrs) != 1 {
		t.Fatalf("template value ends wrongly: %q (attrs %d)", a.Raw, len(rewrite.Attrs))
	}
	if x := a.Exprs[0]; x.ErrPos.Line != 41 || !strings.Contains(x.Err, "unterminated string literal") {
		t.Errorf("error should be the broken string on line 41: %s at %s", x.Err, x.ErrPos)
	}
}
