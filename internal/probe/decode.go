package probe

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// AcceptCompressed is the Accept-Encoding of a Request that asks for
// compression: the content codings StreamReader decodes.
const AcceptCompressed = "gzip, deflate, br"

// wire counts the reads from the connection: how many returned bytes,
// when the last did and how many it brought.
type wire struct {
	r     io.Reader
	reads int
	at    time.Time
	bytes int
}

func (w *wire) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if n > 0 {
		w.reads++
		w.at, w.bytes = time.Now(), n
	}
	return n, err
}

// StreamReader reads the items of a response body as they arrive,
// decoded when the response is compressed (gzip, deflate or br). An item
// is numbered by the read from the connection that brought its last byte,
// and arrived when that read returned: the decoded stream is judged read
// by read as a plain one is, so a hop that releases many compressed
// events at once shows as events sharing a read, and so does a
// compressor that sends the whole response in one piece. ReadBytes are
// bytes on the wire. The probe reads every body through it, and so
// decodes once, whoever asked for the coding.
type StreamReader struct {
	wire *wire
	sse  *sse.Reader
	// Encoding is the content coding read ("" for none).
	Encoding string
}

// NewStreamReader reads body, sent with that Content-Encoding header
// value. A coding it does not decode is an error.
func NewStreamReader(body io.Reader, contentEncoding string) (*StreamReader, error) {
	w := &wire{r: body}
	enc, dec, err := decoder(w, contentEncoding)
	if err != nil {
		return nil, err
	}
	return &StreamReader{wire: w, sse: sse.NewReader(dec), Encoding: enc}, nil
}

// Next returns the next item; at the end of the stream io.EOF or the
// read's error (a broken connection, or bytes that do not decode).
func (r *StreamReader) Next() (sse.Received, error) {
	it, err := r.sse.Next()
	if err != nil {
		return it, err
	}
	it.Arrived, it.Read, it.ReadBytes = r.wire.at, r.wire.reads, r.wire.bytes
	return it, nil
}

// Discarded reports, at the end of the stream, whether it ended inside
// an event.
func (r *StreamReader) Discarded() bool { return r.sse.Discarded }

// Decoder reads body, sent with that Content-Encoding header value,
// decoded (gzip, deflate or br; "" and identity as it is), for a client
// that parses the stream itself. The decompressor starts at the first
// read. A coding it does not decode is an error.
func Decoder(body io.Reader, contentEncoding string) (io.Reader, error) {
	_, r, err := decoder(body, contentEncoding)
	return r, err
}

// decoder returns the coding's name and a reader of the decoded body.
// The decompressor starts at the first read, so building it waits for no
// byte.
func decoder(w io.Reader, contentEncoding string) (string, io.Reader, error) {
	enc := strings.ToLower(strings.TrimSpace(contentEncoding))
	var start func() (io.Reader, error)
	switch enc {
	case "", "identity":
		return "", w, nil
	case "gzip", "x-gzip":
		start = func() (io.Reader, error) { return gzip.NewReader(bufio.NewReaderSize(w, 32*1024)) }
	case "deflate":
		start = func() (io.Reader, error) { return deflateReader(bufio.NewReaderSize(w, 32*1024)) }
	case "br":
		start = func() (io.Reader, error) { return brotli.NewReader(w), nil }
	default:
		return enc, nil, fmt.Errorf("the response's Content-Encoding %q is not one the probe decodes (%s)", contentEncoding, AcceptCompressed)
	}
	return enc, &lazyReader{start: start}, nil
}

// deflateReader reads HTTP's deflate coding, the zlib format (RFC 9110,
// 8.4.1.2), or the raw deflate some servers send under that name.
func deflateReader(br *bufio.Reader) (io.Reader, error) {
	h, err := br.Peek(2)
	if err != nil {
		return nil, err
	}
	if h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}

// lazyReader starts its reader at the first read.
type lazyReader struct {
	start func() (io.Reader, error)
	r     io.Reader
	err   error
}

func (l *lazyReader) Read(p []byte) (int, error) {
	if l.r == nil && l.err == nil {
		l.r, l.err = l.start()
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.r.Read(p)
}
