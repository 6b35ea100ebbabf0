// Package origin is a test SSE origin: it streams numbered events at a
// set interval, each carrying the time it was sent, with comment
// heartbeats, a silence before the first event or after any, id-based
// resume (Last-Event-ID) and the recommended response headers, any of
// which can be left out to test what breaks without them. It answers in
// today's LLM and agent dialects instead on demand: OpenAI-style chat
// completions (chat.go), the Responses API (responses.go), Anthropic's
// Messages API (messages.go) and an MCP server over both HTTP transports
// (mcp.go, mcpsse.go); and it compresses its answers when asked, flushing
// the compressor after each event or not at all (compress.go).
package origin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// Config says how the origin streams.
type Config struct {
	// Events is how many events a stream carries before it ends (0: no
	// end).
	Events int
	// Interval is the time between events. The first goes out at once.
	Interval time.Duration
	// Heartbeat, when set, sends a comment line whenever the stream has
	// been silent that long.
	Heartbeat time.Duration
	// SilenceAfter and Silence make the stream stay silent (no events;
	// heartbeats go on if set) for Silence after event number SilenceAfter.
	SilenceAfter int
	Silence      time.Duration
	// OmitHeaders lists recommended response headers not to send.
	OmitHeaders []string
	// AllowOrigin, when set, is sent as Access-Control-Allow-Origin, so a
	// browser page served elsewhere may open the stream with EventSource.
	// It is "*" or one origin (scheme://host[:port]).
	AllowOrigin string
	// Padding adds that many bytes to each event's data (field "pad"), to
	// make events large.
	Padding int
	// ChatCompletions answers POST chat completions requests as Azure
	// OpenAI does (chat.go): Events is then the number of content chunks
	// (0: DefaultChatTokens), and the other settings time them.
	ChatCompletions bool
	// Responses answers POST Responses API requests as OpenAI does
	// (responses.go), Messages Anthropic Messages API requests
	// (messages.go), both timed as ChatCompletions is. MCP serves an MCP
	// server whose tool count sends Events progress notifications
	// (0: DefaultMCPSteps) Interval apart, then its result (mcp.go). At
	// most one of the four.
	Responses, Messages, MCP bool
	// FirstEventDelay keeps the stream silent after its response headers
	// for that long before the first event (a model that thinks before
	// its first token; in MCP, before the tool's first progress
	// notification). Heartbeat fills it with comments, as it fills any
	// silence.
	FirstEventDelay time.Duration
	// Ending is how a dialect's stream ends: EndFinal (or "") with its
	// final event; EndError with its error event instead (Responses'
	// response.failed, Anthropic's error, an MCP JSON-RPC error, a chat
	// completions error object in place of a chunk); EndNone
	// with no final event at all, the connection closing cleanly;
	// EndIncomplete (Responses) with response.incomplete.
	Ending string
	// Compress compresses each 200 answer whose request accepts the coding
	// (CompressGzip, CompressDeflate, CompressBrotli; "": none), and
	// CompressMode says how: CompressFlush (or "") flushes the compressor
	// after each event, CompressWhole never does, so the answer leaves in
	// one piece at its end (or when the compressor's own buffers fill).
	Compress, CompressMode string
}

// Endings of a dialect's stream (Config.Ending).
const (
	EndFinal      = "final"
	EndError      = "error"
	EndNone       = "none"
	EndIncomplete = "incomplete"
)

// Payload is the JSON data of each event.
type Payload struct {
	Seq          int    `json:"seq"`
	SentUnixNano int64  `json:"sent_unix_nano"`
	Pad          string `json:"pad,omitempty"`
}

// Validate checks the configuration.
func (c Config) Validate() error {
	switch {
	case c.Events < 0:
		return fmt.Errorf("events must be 0 (no end) or more, not %d", c.Events)
	case c.Interval < 0 || c.Heartbeat < 0 || c.Silence < 0:
		return fmt.Errorf("interval, heartbeat and silence cannot be negative")
	case c.SilenceAfter < 0:
		return fmt.Errorf("silence-after must be 0 (never) or more")
	case c.SilenceAfter > 0 && c.Silence == 0:
		return fmt.Errorf("silence-after needs a silence duration")
	case c.Silence > 0 && c.SilenceAfter == 0:
		return fmt.Errorf("a silence needs silence-after N: the event after which it falls")
	case c.Padding < 0:
		return fmt.Errorf("padding cannot be negative")
	case c.FirstEventDelay < 0:
		return fmt.Errorf("the first event's delay cannot be negative")
	}
	if err := c.validateDialect(); err != nil {
		return err
	}
	if err := validateCompress(c.Compress, c.CompressMode); err != nil {
		return err
	}
	if err := validateOrigin(c.AllowOrigin); err != nil {
		return err
	}
	for _, h := range c.OmitHeaders {
		if _, ok := streamprofile.BackendResponseHeaders()[http.CanonicalHeaderKey(h)]; !ok {
			return fmt.Errorf("%q is not one of the headers the origin sends: %s", h, headerNames())
		}
	}
	return nil
}

// validateOrigin accepts "", "*" or a serialized origin: a browser matches
// Access-Control-Allow-Origin against its origin byte for byte, so a path
// or a trailing slash would never match.
func validateOrigin(o string) error {
	if o == "" || o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("allow-origin %q must be * or an origin such as http://127.0.0.1:8080 (scheme, host and port only)", o)
	}
	return nil
}

// validateDialect checks that at most one dialect is on, and that the
// ending is one it has.
func (c Config) validateDialect() error {
	var on []string
	for name, set := range map[string]bool{"chat-completions": c.ChatCompletions, "responses": c.Responses, "messages": c.Messages, "mcp": c.MCP} {
		if set {
			on = append(on, name)
		}
	}
	sort.Strings(on)
	switch {
	case len(on) > 1:
		return fmt.Errorf("the origin answers in one dialect at a time, not %s", strings.Join(on, " and "))
	case c.Ending == "" || c.Ending == EndFinal:
		return nil
	case len(on) == 0:
		return fmt.Errorf("ending %q is for a dialect's stream (chat completions, Responses, Messages, MCP): a plain stream has no final event", c.Ending)
	case c.Ending == EndNone:
		return nil
	case c.Ending == EndError:
		return nil
	case c.Ending == EndIncomplete && c.Responses:
		return nil
	case c.Ending == EndError || c.Ending == EndIncomplete:
		return fmt.Errorf("ending %q is not one the %s dialect has", c.Ending, on[0])
	}
	return fmt.Errorf("ending %q is not %s, %s, %s or %s", c.Ending, EndFinal, EndError, EndIncomplete, EndNone)
}

func headerNames() string {
	var names []string
	for k := range streamprofile.BackendResponseHeaders() {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Handler serves one stream per request.
type Handler struct {
	cfg Config
	now func() time.Time
	mcp *mcpServer
}

// New returns the origin's handler.
func New(cfg Config) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, now: time.Now}
	if cfg.MCP {
		h.mcp = newMCPServer()
	}
	return h, nil
}

// ServeHTTP streams events until the configured count, the client leaving
// or the server shutting down. A Last-Event-ID header resumes after that
// event.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := w.(http.Flusher); !ok {
		http.Error(w, "streaming is not supported by this server", http.StatusInternalServerError)
		return
	}
	cw, done := h.compressing(w, r)
	defer done()
	w = cw
	flusher := cw
	switch {
	case h.cfg.ChatCompletions:
		h.serveChat(w, r, flusher)
		return
	case h.cfg.Responses:
		h.serveResponses(w, r, flusher)
		return
	case h.cfg.Messages:
		h.serveMessages(w, r, flusher)
		return
	case h.cfg.MCP:
		h.serveMCP(w, r, flusher)
		return
	}
	start := 1
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		n, err := strconv.Atoi(last)
		if err != nil || n < 0 {
			http.Error(w, fmt.Sprintf("Last-Event-ID %q is not an event number of this origin", last), http.StatusBadRequest)
			return
		}
		start = n + 1
	}
	if h.cfg.Events > 0 && start > h.cfg.Events {
		// Nothing left: 204 tells an EventSource not to reconnect.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.writeStreamHeaders(w, flusher)

	sw := sse.NewWriter(w)
	ctx := r.Context()
	pad := strings.Repeat("x", h.cfg.Padding)
	if !h.firstEventDelay(r, sw, flusher) {
		return
	}
	for seq := start; h.cfg.Events == 0 || seq <= h.cfg.Events; seq++ {
		if seq > start {
			wait := h.cfg.Interval
			if h.cfg.SilenceAfter > 0 && seq-1 == h.cfg.SilenceAfter {
				wait += h.cfg.Silence
			}
			if !h.waitWithHeartbeats(r, sw, flusher, wait) {
				return
			}
		}
		data, _ := json.Marshal(Payload{Seq: seq, SentUnixNano: h.now().UnixNano(), Pad: pad})
		if err := sw.Event(strconv.Itoa(seq), "", string(data)); err != nil {
			return
		}
		flusher.Flush()
		if ctx.Err() != nil {
			return
		}
	}
}

// writeStreamHeaders sends 200 with the recommended stream headers but
// the omitted ones.
func (h *Handler) writeStreamHeaders(w http.ResponseWriter, f http.Flusher) {
	omit := map[string]bool{}
	for _, o := range h.cfg.OmitHeaders {
		omit[http.CanonicalHeaderKey(o)] = true
	}
	for k, v := range streamprofile.BackendResponseHeaders() {
		if !omit[k] {
			w.Header().Set(k, v)
		}
	}
	if h.cfg.AllowOrigin != "" {
		w.Header().Set("Access-Control-Allow-Origin", h.cfg.AllowOrigin)
	}
	w.WriteHeader(http.StatusOK)
	f.Flush()
}

// firstEventDelay keeps the stream silent (but for heartbeats) for
// FirstEventDelay. It reports false when the client left.
func (h *Handler) firstEventDelay(r *http.Request, sw *sse.Writer, f http.Flusher) bool {
	return h.cfg.FirstEventDelay == 0 || h.waitWithHeartbeats(r, sw, f, h.cfg.FirstEventDelay)
}

// waitWithHeartbeats waits d, sending a heartbeat whenever the stream has
// been silent for the heartbeat interval. It reports false when the client
// left.
func (h *Handler) waitWithHeartbeats(r *http.Request, sw *sse.Writer, f http.Flusher, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	var beat <-chan time.Time
	if h.cfg.Heartbeat > 0 {
		t := time.NewTicker(h.cfg.Heartbeat)
		defer t.Stop()
		beat = t.C
	}
	for {
		select {
		case <-r.Context().Done():
			return false
		case <-deadline.C:
			return true
		case <-beat:
			if err := sw.Comment("heartbeat"); err != nil {
				return false
			}
			f.Flush()
		}
	}
}
