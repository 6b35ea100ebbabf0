package gateway

import (
	"errors"
	"fmt"
)

// chunkedDecoder removes HTTP/1.1 chunked framing (RFC 9112, 7.1) from a
// body as its reads arrive, in place, so a relay needs no second buffer.
// It is as lenient as Go's own reader where senders differ: a bare LF ends
// a line, and spaces or tabs may follow the size.
type chunkedDecoder struct {
	state   chunkState
	size    uint64 // bytes left in the current chunk
	digits  int    // hex digits of the current size
	ext     bool   // a ';' began an extension on the size line
	lineLen int    // bytes of the current size or trailer line
	extra   int    // bytes that came after the end of the body, ignored
}

type chunkState int

const (
	chunkSize      chunkState = iota // reading the size's hex digits
	chunkSizeTail                    // after the digits: whitespace, extensions, CR
	chunkData                        // reading the chunk's bytes
	chunkDataCR                      // after the data: CR or LF
	chunkDataLF                      // after the data's CR: LF
	chunkTrailer                     // at the start of a trailer line (or the empty line)
	chunkTrailerLn                   // inside a trailer line
	chunkEndLF                       // after the final empty line's CR
	chunkDone                        // the body ended
)

// maxChunkLine bounds a size line (with extensions) or a trailer line.
const maxChunkLine = 4096

// done reports whether the last chunk and the trailers have ended.
func (d *chunkedDecoder) done() bool { return d.state == chunkDone }

// decode moves the data bytes of p to its start and returns how many
// there are. Bytes after the end of the body are not data: they are
// counted in extra and dropped, as Go's client drops them.
func (d *chunkedDecoder) decode(p []byte) (int, error) {
	out := 0
	for i := 0; i < len(p); {
		c := p[i]
		switch d.state {
		case chunkData:
			n := uint64(len(p) - i)
			if n > d.size {
				n = d.size
			}
			copy(p[out:], p[i:i+int(n)])
			out += int(n)
			i += int(n)
			d.size -= n
			if d.size == 0 {
				d.state = chunkDataCR
			}
			continue
		case chunkDone:
			d.extra += len(p) - i
			return out, nil
		}
		i++
		if err := d.step(c); err != nil {
			return out, err
		}
	}
	return out, nil
}

// step takes one framing byte.
func (d *chunkedDecoder) step(c byte) error {
	switch d.state {
	case chunkSize, chunkSizeTail, chunkTrailerLn:
		if d.lineLen++; d.lineLen > maxChunkLine {
			return fmt.Errorf("chunked encoding: a line is longer than %d bytes", maxChunkLine)
		}
	}
	switch d.state {
	case chunkSize:
		if v, ok := hexValue(c); ok {
			// Go's reader takes up to 16 digits; leading zeros are free,
			// and a size of 2^60 or more is not a stream's.
			if d.digits++; d.digits > 16 || d.size>>56 != 0 {
				return errors.New("chunked encoding: the chunk size is too large")
			}
			d.size = d.size<<4 | uint64(v)
			return nil
		}
		if d.digits == 0 {
			return fmt.Errorf("chunked encoding: a chunk size starts with %q", c)
		}
		d.state = chunkSizeTail
		return d.step(c)
	case chunkSizeTail:
		switch {
		case c == '\n':
			d.endSizeLine()
		case d.ext:
			// An extension's name and value are not ours to check.
		case c == ';':
			d.ext = true
		case c != ' ' && c != '\t' && c != '\r':
			return fmt.Errorf("chunked encoding: %q after a chunk size", c)
		}
	case chunkDataCR:
		switch c {
		case '\r':
			d.state = chunkDataLF
		case '\n':
			d.state = chunkSize
		default:
			return errors.New("chunked encoding: a chunk's data is longer than its size")
		}
	case chunkDataLF:
		if c != '\n' {
			return errors.New("chunked encoding: CR without LF after a chunk's data")
		}
		d.state = chunkSize
	case chunkTrailer:
		switch c {
		case '\r':
			d.state = chunkEndLF
		case '\n':
			d.state = chunkDone
		default:
			d.state, d.lineLen = chunkTrailerLn, 1
		}
	case chunkTrailerLn:
		if c == '\n' {
			d.state = chunkTrailer
		}
	case chunkEndLF:
		if c != '\n' {
			return errors.New("chunked encoding: CR without LF at the end of the body")
		}
		d.state = chunkDone
	}
	return nil
}

func (d *chunkedDecoder) endSizeLine() {
	d.digits, d.lineLen, d.ext = 0, 0, false
	if d.size == 0 {
		d.state = chunkTrailer
		return
	}
	d.state = chunkData
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
