package apimpolicy

import (
	"fmt"
	"unicode/utf8"
)

// Pos is a place in the source: a byte offset and the 1-based line and
// column (in Unicode characters) that an editor shows for it.
type Pos struct {
	Offset int
	Line   int
	Column int
}

// IsValid reports whether p was set by the parser. Nodes built in code
// (by the generator or a fix) have no position.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}

// SyntaxError is a document that cannot be parsed, with the place where
// the problem was found.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
}

// lineIndex turns byte offsets into lines and columns. The parser asks for
// positions in increasing order, so it walks forward from the last answer
// and the whole parse stays linear even on one very long line.
type lineIndex struct {
	src  []byte
	base Pos // line 1, column 1: offset 0, or 3 after a byte order mark
	last Pos // the last position computed
}

func newLineIndex(src []byte) *lineIndex {
	start := Pos{Offset: 0, Line: 1, Column: 1}
	return &lineIndex{src: src, base: start, last: start}
}

// at returns the position of byte offset off (0 <= off <= len(src)).
func (ix *lineIndex) at(off int) Pos {
	p := ix.last
	if off < p.Offset {
		p = ix.base
	}
	src := ix.src
	for p.Offset < off {
		c := src[p.Offset]
		switch {
		case c == '\n':
			p.Line++
			p.Column = 1
			p.Offset++
		case c == '\r':
			p.Offset++
			if p.Offset < len(src) && src[p.Offset] == '\n' {
				if p.Offset == off {
					// off points between CR and LF: same line as the CR.
					p.Column++
					ix.last = p
					return p
				}
				p.Offset++
			}
			p.Line++
			p.Column = 1
		case c < utf8.RuneSelf:
			p.Column++
			p.Offset++
		default:
			_, size := utf8.DecodeRune(src[p.Offset:])
			p.Column++
			p.Offset += size
		}
	}
	// A multi-byte rune can carry us past off when off points inside it;
	// clamp so the offset stays the one asked for.
	p.Offset = off
	ix.last = p
	return p
}
