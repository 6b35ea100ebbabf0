package gateway

import (
	"bytes"
	"net/http/httputil"
	"strings"
	"testing"
)

// decodeAll feeds in to a decoder in reads of at most step bytes.
func decodeAll(in []byte, step int) (string, bool, error) {
	var d chunkedDecoder
	var out bytes.Buffer
	for len(in) > 0 {
		n := min(step, len(in))
		p := append([]byte(nil), in[:n]...)
		in = in[n:]
		m, err := d.decode(p)
		out.Write(p[:m])
		if err != nil {
			return out.String(), d.done(), err
		}
	}
	return out.String(), d.done(), nil
}

func TestChunkedDecoder(t *testing.T) {
	tests := []struct {
		name, in, want string
		done           bool
		err            string
	}{
		{"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", true, ""},
		{"chunks", "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n", "abc0123456789", true, ""},
		{"upper and lower hex", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n", strings.Repeat("0123456789", 2), true, ""},
		{"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello", true, ""},
		{"extensions", "5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello", true, ""},
		{"whitespace before an extension", "5 ;a=\"b;c\"\r\nhello\r\n0\r\n\r\n", "hello", true, ""},
		{"trailers", "5\r\nhello\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n", "hello", true, ""},
		{"bare LF lines", "5\nhello\n0\n\n", "hello", true, ""},
		{"CRLF inside the data is data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", true, ""},
		{"an open stream", "5\r\nhello\r\n3\r\nab", "helloab", false, ""},
		{"an open size line", "5\r\nhello\r\n1", "hello", false, ""},
		{"not hex", "x\r\n", "", false, "a chunk size starts with 'x'"},
		{"junk after the size", "5x\r\nhello", "", false, "'x' after a chunk size"},
		{"data longer than the size", "2\r\nabc\r\n", "ab", false, "longer than its size"},
		{"CR without LF", "2\r\nab\rX", "ab", false, "CR without LF"},
		{"size overflow", "1000000000000000\r\n", "", false, "too large"},
		{"sixteen digits with leading zeros", "0000000000000005\r\nhello\r\n0\r\n\r\n", "hello", true, ""},
		{"seventeen digits", "00000000000000005\r\n", "", false, "too large"},
		{"bytes after the end are dropped", "5\r\nhello\r\n0\r\n\r\n\r\nGET", "hello", true, ""},
		{"a line too long", "5;" + strings.Repeat("x", maxChunkLine), "", false, "longer than 4096"},
		{"a trailer too long", "0\r\nX: " + strings.Repeat("x", maxChunkLine), "", false, "longer than 4096"},
	}
	for _, tt := range tests {
		for _, step := range []int{1, 2, 7, len(tt.in)} {
			got, done, err := decodeAll([]byte(tt.in), step)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("%s, reads of %d: error %v, want %q", tt.name, step, err, tt.err)
				}
				continue
			}
			if err != nil || got != tt.want || done != tt.done {
				t.Errorf("%s, reads of %d: %q done %v err %v, want %q done %v", tt.name, step, got, done, err, tt.want, tt.done)
			}
		}
	}
}

// FuzzChunkedDecoder checks the decoder against Go's chunked writer: any
// body, in any chunks, split into any reads, decodes to itself.
func FuzzChunkedDecoder(f *testing.F) {
	f.Add([]byte("data: hello\n\n"), uint8(3), uint8(1))
	f.Add([]byte(strings.Repeat("x", 5000)), uint8(200), uint8(13))
	f.Fuzz(func(t *testing.T, body []byte, chunk, step uint8) {
		var enc bytes.Buffer
		w := httputil.NewChunkedWriter(&enc)
		for rest := body; len(rest) > 0; {
			n := min(int(chunk)+1, len(rest))
			_, _ = w.Write(rest[:n])
			rest = rest[n:]
		}
		_ = w.Close()
		enc.WriteString("\r\n") // no trailers
		got, done, err := decodeAll(enc.Bytes(), int(step)+1)
		if err != nil || !done || got != string(body) {
			t.Fatalf("decoded %q done %v err %v, want %q", got, done, err, body)
		}
	})
}

// FuzzChunkedDecoderInput feeds arbitrary bytes: no panic, and never
// more data out than bytes in.
func FuzzChunkedDecoderInput(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), uint8(1))
	f.Add([]byte("5;x\nhel"), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		got, _, _ := decodeAll(in, int(step)+1)
		if len(got) > len(in) {
			t.Fatalf("%d bytes out of %d", len(got), len(in))
		}
	})
}
