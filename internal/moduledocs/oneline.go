package moduledocs

import (
	"bytes"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// oneLine is an expression's source text on one line, for a table cell:
// comments dropped, blanks between tokens one space, and the newlines
// that separate the items of an object (an object type's attributes, a
// map default) written as ", ", so the text stays valid HCL. A heredoc
// (a literal string, in a default) is shown as a quoted string.
func oneLine(src []byte, expr hcl.Expression) string {
	r := expr.Range()
	text := src[r.Start.Byte:r.End.Byte]
	toks, diags := hclsyntax.LexExpression(text, r.Filename, r.Start)
	if !diags.HasErrors() && hasHeredoc(toks) {
		if v, vd := expr.Value(nil); !vd.HasErrors() {
			text = hclwrite.TokensForValue(v).Bytes()
			toks, diags = hclsyntax.LexExpression(text, r.Filename, hcl.InitialPos)
		}
	}
	if diags.HasErrors() || hasHeredoc(toks) {
		return strings.Join(strings.Fields(string(text)), " ")
	}
	return join(pieces(toks))
}

func hasHeredoc(toks hclsyntax.Tokens) bool {
	for _, t := range toks {
		if t.Type == hclsyntax.TokenOHeredoc {
			return true
		}
	}
	return false
}

// piece is a token with what stood before it in the source.
type piece struct {
	tok           hclsyntax.Token
	newline, wide bool
}

func pieces(toks hclsyntax.Tokens) []piece {
	var ps []piece
	newline, end := false, -1
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenNewline:
			newline = true
			continue
		case hclsyntax.TokenComment: // a line comment holds its newline
			newline = newline || bytes.HasSuffix(t.Bytes, []byte("\n"))
			continue
		}
		ps = append(ps, piece{tok: t, newline: newline, wide: end >= 0 && t.Range.Start.Byte > end})
		newline, end = false, t.Range.End.Byte
	}
	return ps
}

// join writes the pieces on one line. Inside { } a newline separates
// items (unless a for expression); inside ( ) and [ ] it is a blank.
func join(ps []piece) string {
	var b strings.Builder
	var stack []bool // per open bracket: do newlines separate items?
	prev := hclsyntax.TokenNil
	for i, p := range ps {
		cur := p.tok.Type
		if cur == hclsyntax.TokenComma && i+1 < len(ps) && closes(ps[i+1].tok.Type) {
			continue // a trailing comma
		}
		separates := len(stack) > 0 && stack[len(stack)-1]
		switch {
		case prev == hclsyntax.TokenNil:
		case p.newline && separates && !opens(prev) && prev != hclsyntax.TokenComma && !closes(cur):
			b.WriteString(", ")
		case p.newline && (prev == hclsyntax.TokenOBrace || cur == hclsyntax.TokenCBrace || prev == hclsyntax.TokenComma):
			b.WriteString(" ")
		case p.newline && !opens(prev) && !closes(cur):
			b.WriteString(" ")
		case !p.newline && p.wide:
			b.WriteString(" ")
		}
		b.Write(p.tok.Bytes)
		switch {
		case opens(cur):
			isFor := i+1 < len(ps) && ps[i+1].tok.Type == hclsyntax.TokenIdent && string(ps[i+1].tok.Bytes) == "for"
			stack = append(stack, cur == hclsyntax.TokenOBrace && !isFor)
		case closes(cur) && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
		prev = cur
	}
	return b.String()
}

func opens(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
		hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
		return true
	}
	return false
}

func closes(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
		return true
	}
	return false
}
