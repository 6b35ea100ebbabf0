package origin

import (
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// The codings the origin compresses with (Config.Compress), and how
// (Config.CompressMode).
const (
	CompressGzip    = "gzip"
	CompressDeflate = "deflate" // the zlib format, as HTTP's deflate is (RFC 9110, 8.4.1.2)
	CompressBrotli  = "br"
	// CompressFlush flushes the compressor after each event, heartbeat and
	// the response headers: every flush of the stream carries what was
	// written so far, compressed.
	CompressFlush = "flush"
	// CompressWhole never flushes the compressor: the answer leaves in one
	// piece at its end, or when the compressor's own buffers fill, as from
	// a server that compresses streams like any other response (FACTS.md,
	// "Added with issue 17").
	CompressWhole = "whole"
)

func validateCompress(coding, mode string) error {
	switch coding {
	case "", CompressGzip, CompressDeflate, CompressBrotli:
	default:
		return fmt.Errorf("compress %q is not %s, %s or %s", coding, CompressGzip, CompressBrotli, CompressDeflate)
	}
	switch {
	case mode != "" && mode != CompressFlush && mode != CompressWhole:
		return fmt.Errorf("compress mode %q is not %s or %s", mode, CompressFlush, CompressWhole)
	case mode != "" && coding == "":
		return fmt.Errorf("a compress mode needs a coding to compress with")
	}
	return nil
}

// encoder is a compressor: what it writes goes to the response.
type encoder interface {
	io.Writer
	Flush() error
	Close() error
}

// compressWriter compresses a 200 answer; any other status goes out as
// it is.
type compressWriter struct {
	http.ResponseWriter
	coding  string
	whole   bool
	enc     encoder
	started bool
}

// compressing wraps w to compress the answer when the origin compresses
// and the request accepts the coding. done ends the compressed body.
func (h *Handler) compressing(w http.ResponseWriter, r *http.Request) (*compressWriter, func()) {
	cw := &compressWriter{ResponseWriter: w, whole: h.cfg.CompressMode == CompressWhole}
	if h.cfg.Compress == "" {
		return cw, func() {}
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if accepts(r.Header.Get("Accept-Encoding"), h.cfg.Compress) {
		cw.coding = h.cfg.Compress
	}
	return cw, cw.close
}

func (c *compressWriter) WriteHeader(status int) {
	if c.started {
		return
	}
	c.started = true
	if status == http.StatusOK && c.coding != "" {
		c.Header().Set("Content-Encoding", c.coding)
		c.Header().Del("Content-Length")
		switch c.coding {
		case CompressGzip:
			c.enc = gzip.NewWriter(c.ResponseWriter)
		case CompressDeflate:
			c.enc = zlib.NewWriter(c.ResponseWriter)
		default:
			c.enc = brotli.NewWriter(c.ResponseWriter)
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *compressWriter) Write(p []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if c.enc == nil {
		return c.ResponseWriter.Write(p)
	}
	return c.enc.Write(p)
}

// Flush sends what was written so far: compressed and flushed out of the
// compressor in flush mode; in whole mode only what the compressor let
// out by itself (and the headers).
func (c *compressWriter) Flush() {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if c.enc != nil && !c.whole {
		_ = c.enc.Flush()
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (c *compressWriter) close() {
	if c.enc == nil {
		return
	}
	if c.enc.Close() == nil {
		if f, ok := c.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// accepts reports whether an Accept-Encoding header value accepts coding
// (by name or *, with a q-value above 0).
func accepts(header, coding string) bool {
	for _, item := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(item), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}
