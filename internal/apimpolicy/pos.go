package apimpolicy

import (
	"fmt"
	"strings"
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
	src  string
	base Pos // line 1, column 1: offset 0, or 3 after a byte order mark
	last Pos // the last position computed
	// plain: src is ASCII and has no CR, so a line ends at each LF and a
	// column is a byte.
	plain bool
}

func newLineIndex(src string) lineIndex {
	start := Pos{Offset: 0, Line: 1, Column: 1}
	return lineIndex{src: src, base: start, last: start, plain: isASCII(src) && strings.IndexByte(src, '\r') < 0}
}

// isASCII reports whether s is all ASCII, eight bytes at a time.
func isASCII(s string) bool {
	var or uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8]
		or |= uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
	}
	for ; i < len(s); i++ {
		or |= uint64(s[i])
	}
	return or&high == 0
}

// at returns the position of byte offset off (0 <= off <= len(src)).
func (ix *lineIndex) at(off int) Pos {
	p := ix.last
	if off < p.Offset {
		p = ix.base
	}
	src := ix.src
	if ix.plain {
		for {
			j := strings.IndexByte(src[p.Offset:off], '\n')
			if j < 0 {
				p.Column += off - p.Offset
				break
			}
			p.Line++
			p.Column = 1
			p.Offset += j + 1
		}
		p.Offset = off
		ix.last = p
		return p
	}
	for p.Offset < off {
		// Most bytes are ASCII other than a line break: a column each.
		j := plainRun(src, p.Offset, off)
		p.Column += j - p.Offset
		p.Offset = j
		if j == off {
			break
		}
		switch src[j] {
		case '\n':
			p.Line++
			p.Column = 1
			p.Offset++
		case '\r':
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
		default:
			_, size := utf8.DecodeRuneInString(src[p.Offset:])
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

const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// plainRun returns the offset of the first byte of s[i:end] that is a line
// break or not ASCII, or end. It tests eight bytes at a time: x has a zero
// byte where (x-ones) &^ x has its high bit set, exactly so when no byte of
// x has its high bit set (checked in the same test).
func plainRun(s string, i, end int) int {
	for ; i+8 <= end; i += 8 {
		t := s[i : i+8]
		x := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		lf, cr := x^(ones*'\n'), x^(ones*'\r')
		if (x|(lf-ones)&^lf|(cr-ones)&^cr)&high != 0 {
			break
		}
	}
	for ; i < end; i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == '\n' || c == '\r' {
			break
		}
	}
	return i
}
