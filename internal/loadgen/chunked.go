package loadgen

import (
	"errors"
	"fmt"
)

// chunkDecoder undoes HTTP/1.1 chunked transfer coding (RFC 9112 §7.1)
// on bytes as they arrive, in whatever pieces the network brings them:
// the poller reads sockets itself and cannot lend net/http's reader a
// blocking connection. Chunk extensions and trailers are skipped, as
// net/http skips them.
type chunkDecoder struct {
	state     chunkState
	size      int64 // the chunk's size, while reading its size line
	remaining int64 // the chunk's bytes still to come
	digits    int   // hex digits seen on the size line
	line      int   // bytes of the size or trailer line so far
}

type chunkState int

const (
	chunkSize      chunkState = iota // the hex size, until ';' or CR
	chunkExtension                   // after ';', until CR
	chunkSizeLF                      // the LF ending the size line
	chunkData                        // the chunk's bytes
	chunkDataCR                      // the CR after them
	chunkDataLF                      // and its LF
	chunkTrailer                     // a trailer line, until CR (an empty one ends the body)
	chunkTrailerLF                   // its LF
	chunkDone                        // the body has ended
)

// maxChunkLine bounds a size or trailer line, as net/http's 4 KiB does.
const maxChunkLine = 4096

var errChunkedEnded = errors.New("bytes after the end of the chunked body")

// done reports whether the last chunk and the trailers have been read.
func (d *chunkDecoder) done() bool { return d.state == chunkDone }

// feed decodes in and calls out with each run of body bytes, in order
// (out's slice is in's: copy what it keeps). It stops at the first
// malformed byte and says what it was.
func (d *chunkDecoder) feed(in []byte, out func([]byte)) error {
	for i := 0; i < len(in); {
		if d.state == chunkData {
			n := int(min(d.remaining, int64(len(in)-i)))
			out(in[i : i+n])
			i += n
			if d.remaining -= int64(n); d.remaining == 0 {
				d.state = chunkDataCR
			}
			continue
		}
		c := in[i]
		i++
		if d.line++; d.line > maxChunkLine && d.state != chunkDataCR && d.state != chunkDataLF {
			return errors.New("a chunk size or trailer line over 4 KiB")
		}
		switch d.state {
		case chunkSize:
			switch c {
			case '\r':
				if d.digits == 0 {
					return errors.New("a chunk without a size")
				}
				d.state = chunkSizeLF
			case ';', ' ', '\t':
				if d.digits == 0 {
					return errors.New("a chunk without a size")
				}
				d.state = chunkExtension
			default:
				v, ok := hexDigit(c)
				if !ok {
					return fmt.Errorf("%q in a chunk size", c)
				}
				if d.digits++; d.digits > 15 {
					return errors.New("a chunk size too large")
				}
				d.size = d.size<<4 | int64(v)
			}
		case chunkExtension:
			if c == '\r' {
				d.state = chunkSizeLF
			}
		case chunkSizeLF:
			if c != '\n' {
				return fmt.Errorf("%q after a chunk size's CR", c)
			}
			d.line = 0
			if d.size == 0 {
				d.state = chunkTrailer
			} else {
				d.state, d.remaining = chunkData, d.size
			}
			d.size, d.digits = 0, 0
		case chunkDataCR:
			if c != '\r' {
				return fmt.Errorf("%q after a chunk's data", c)
			}
			d.state = chunkDataLF
		case chunkDataLF:
			if c != '\n' {
				return fmt.Errorf("%q after a chunk's CR", c)
			}
			d.state, d.line = chunkSize, 0
		case chunkTrailer:
			if c == '\r' {
				d.state = chunkTrailerLF
			}
		case chunkTrailerLF:
			if c != '\n' {
				return fmt.Errorf("%q after a trailer's CR", c)
			}
			if d.line == 2 { // the empty line: CR LF
				d.state = chunkDone
			} else {
				d.state, d.line = chunkTrailer, 0
			}
		case chunkDone:
			return errChunkedEnded
		}
	}
	return nil
}

func hexDigit(c byte) (byte, bool) {
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
