package loadgen

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http/httputil"
	"strings"
	"testing"
)

// The decoder gives back what net/http's chunked writer encoded, however
// the wire bytes are cut into reads, and agrees with net/http's reader.
func TestChunkDecoderUndoesNetHTTPsChunks(t *testing.T) {
	t.Parallel()
	var body bytes.Buffer
	for i := range 200 {
		body.WriteString("data: {\"seq\":")
		body.WriteString(strings.Repeat("x", i%37))
		body.WriteString("}\n\n")
	}
	var wire bytes.Buffer
	cw := httputil.NewChunkedWriter(&wire)
	rest := body.Bytes()
	for len(rest) > 0 { // chunks of many sizes, as flushes make them
		n := min(len(rest), 1+len(rest)%97)
		if _, err := cw.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	wire.WriteString("Trailer-Field: x\r\n\r\n")

	viaNetHTTP, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(wire.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaNetHTTP, body.Bytes()) {
		t.Fatal("net/http's reader does not give the body back: the fixture is wrong")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cut := range []int{1, 2, 3, 7, 64, 1500, len(wire.Bytes())} {
		var d chunkDecoder
		var got bytes.Buffer
		in := wire.Bytes()
		for len(in) > 0 {
			n := min(len(in), 1+rng.IntN(cut))
			if err := d.feed(in[:n], func(b []byte) { got.Write(b) }); err != nil {
				t.Fatalf("reads of up to %d bytes: %v", cut, err)
			}
			in = in[n:]
		}
		if !d.done() {
			t.Errorf("reads of up to %d bytes: the body's end was not seen", cut)
		}
		if !bytes.Equal(got.Bytes(), viaNetHTTP) {
			t.Errorf("reads of up to %d bytes: %d bytes decoded, net/http's reader gave %d", cut, got.Len(), len(viaNetHTTP))
		}
	}
}

func TestChunkDecoderRefusesMalformedFraming(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, wire string
		done       bool // the body's end was seen
		bad        bool // feed says the framing is wrong
	}{
		{"whole", "3\r\nabc\r\n0\r\n\r\n", true, false},
		{"extension", "3;name=value\r\nabc\r\n0\r\n\r\n", true, false},
		{"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", true, false},
		{"cut in the data", "5\r\nab", false, false},
		{"no size", "\r\nabc\r\n", false, true},
		{"not hex", "g\r\nabc\r\n", false, true},
		{"size too large", "1000000000000000\r\n", false, true},
		{"no CRLF after the data", "3\r\nabcX\r\n", false, true},
		{"LF missing after CR", "3\rabc", false, true},
		{"bytes after the end", "0\r\n\r\nx", true, true},
		{"size line over 4 KiB", "3;" + strings.Repeat("e", 5000), false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d chunkDecoder
			err := d.feed([]byte(tc.wire), func([]byte) {})
			if (err != nil) != tc.bad {
				t.Errorf("feed: %v, want an error: %v", err, tc.bad)
			}
			if d.done() != tc.done {
				t.Errorf("done %v, want %v", d.done(), tc.done)
			}
		})
	}
}
