package origin

import (
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// get GETs url with that Accept-Encoding (Go's client then decodes
// nothing itself).
func get(t *testing.T, url, acceptEncoding string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// timedReader notes when each read of the body returned bytes.
type timedReader struct {
	r     io.Reader
	reads []time.Time
}

func (t *timedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.reads = append(t.reads, time.Now())
	}
	return n, err
}

func decompress(t *testing.T, coding string, r io.Reader) io.Reader {
	t.Helper()
	switch coding {
	case CompressGzip:
		z, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		return z
	case CompressDeflate:
		z, err := zlib.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	return brotli.NewReader(r)
}

// Each coding, flushed per event or in one piece: the decoded stream is
// the plain one; flushed, the first event is on the wire before the last
// is sent; in one piece, nothing is until the last was sent.
func TestCompress(t *testing.T) {
	for _, coding := range []string{CompressGzip, CompressDeflate, CompressBrotli} {
		for _, mode := range []string{CompressFlush, CompressWhole} {
			t.Run(coding+" "+mode, func(t *testing.T) {
				t.Parallel()
				url := serve(t, Config{Events: 4, Interval: 100 * time.Millisecond, Compress: coding, CompressMode: mode})
				resp := get(t, url, "br;q=0.9, gzip, deflate")
				if resp.Header.Get("Content-Encoding") != coding || resp.Header.Get("Vary") != "Accept-Encoding" {
					t.Fatalf("Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
				}
				tr := &timedReader{r: resp.Body}
				r := sse.NewReader(decompress(t, coding, tr))
				var sent []int64
				var firstOnWire time.Time
				for {
					it, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					var p Payload
					if err := json.Unmarshal([]byte(it.Event.Data), &p); err != nil || p.Seq != len(sent)+1 {
						t.Fatalf("event %q: %v", it.Event.Data, err)
					}
					if len(sent) == 0 {
						firstOnWire = tr.reads[len(tr.reads)-1]
					}
					sent = append(sent, p.SentUnixNano)
				}
				lastSent := time.Unix(0, sent[len(sent)-1])
				if len(sent) != 4 || (mode == CompressFlush) != firstOnWire.Before(lastSent) {
					t.Fatalf("%d events; the first on the wire %v after the last was sent", len(sent), firstOnWire.Sub(lastSent))
				}
			})
		}
	}
}

// A client that does not accept the coding gets the stream as it is.
func TestCompressOnlyWhenAccepted(t *testing.T) {
	url := serve(t, Config{Events: 1, Compress: CompressBrotli})
	for _, accept := range []string{"identity", "gzip", "br;q=0", ""} {
		resp := get(t, url, accept)
		b, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Content-Encoding") != "" || len(b) == 0 || b[0] != 'i' {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, body %q", accept, resp.Header.Get("Content-Encoding"), b)
		}
	}
	if resp := get(t, url, "*"); resp.Header.Get("Content-Encoding") != CompressBrotli {
		t.Errorf("Accept-Encoding *: %q", resp.Header.Get("Content-Encoding"))
	}
}

// The silence before the first event, filled with heartbeats.
func TestFirstEventDelay(t *testing.T) {
	for _, cfg := range []Config{{}, {ChatCompletions: true}, {Responses: true}, {Messages: true}} {
		cfg.Events, cfg.FirstEventDelay, cfg.Heartbeat = 1, 250*time.Millisecond, 40*time.Millisecond
		url := serve(t, cfg)
		start := time.Now()
		var resp *http.Response
		switch {
		case cfg.ChatCompletions:
			resp = post(t, url, http.MethodPost, `{"messages": [{"role": "user", "content": "hi"}], "stream": true}`)
		case cfg.Responses:
			resp = post(t, url, http.MethodPost, `{"input": "hi", "stream": true}`)
		case cfg.Messages:
			resp = post(t, url, http.MethodPost, `{"max_tokens": 9, "messages": [{"role": "user", "content": "hi"}], "stream": true}`)
		default:
			resp = get(t, url, "")
		}
		items := readAll(t, resp)
		comments := 0
		for comments < len(items) && items[comments].Kind == sse.KindComment {
			comments++
		}
		var first struct {
			SentUnixNano int64 `json:"sent_unix_nano"`
		}
		if comments == len(items) || json.Unmarshal([]byte(items[comments].Event.Data), &first) != nil {
			t.Fatalf("%+v: no event after %d comments", cfg, comments)
		}
		// On the origin's clock: the first event left after the delay.
		if comments < 3 || time.Unix(0, first.SentUnixNano).Sub(start) < 250*time.Millisecond {
			t.Errorf("%+v: %d heartbeats, the first event sent %v after the request", cfg, comments, time.Unix(0, first.SentUnixNano).Sub(start))
		}
	}
}
