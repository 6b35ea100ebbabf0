package origin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// sender writes one dialect's events: each a JSON object stamped with
// sent_unix_nano (and the padding) as it leaves, flushed at once.
// Clients of the real APIs ignore fields they do not know.
type sender struct {
	h   *Handler
	r   *http.Request
	sw  *sse.Writer
	f   http.Flusher
	pad string
}

func (h *Handler) sender(w http.ResponseWriter, r *http.Request, f http.Flusher) *sender {
	return &sender{h: h, r: r, sw: sse.NewWriter(w), f: f, pad: strings.Repeat("x", h.cfg.Padding)}
}

// send writes an event of that type (none: a data-only event). It
// reports false when the client left.
func (s *sender) send(eventType string, v any) bool {
	data := stamp(v, s.h.now().UnixNano(), s.pad)
	if err := s.sw.Event("", eventType, data); err != nil {
		return false
	}
	s.f.Flush()
	return s.r.Context().Err() == nil
}

// wait waits d, with heartbeats; false when the client left.
func (s *sender) wait(d time.Duration) bool { return s.h.waitWithHeartbeats(s.r, s.sw, s.f, d) }

// firstDelay is the silence before the first event.
func (s *sender) firstDelay() bool { return s.h.firstEventDelay(s.r, s.sw, s.f) }

// stamp is v's JSON object with sent_unix_nano (and pad) added last.
func stamp(v any, sent int64, pad string) string {
	data, _ := json.Marshal(v)
	extra := `"sent_unix_nano":` + strconv.FormatInt(sent, 10)
	if pad != "" {
		extra += `,"pad":"` + pad + `"`
	}
	if string(data) == "{}" {
		return "{" + extra + "}"
	}
	return string(data[:len(data)-1]) + "," + extra + "}"
}

// tokens is how many tokens a completion carries: Events, or the
// default.
func (h *Handler) tokens() int {
	if h.cfg.Events > 0 {
		return h.cfg.Events
	}
	return DefaultChatTokens
}

// word is the completion's token i (from 1), with its leading space.
func word(i int) string {
	w := chatWords[(i-1)%len(chatWords)]
	if i > 1 {
		w = " " + w
	}
	return w
}

// completion is the text of tokens tokens.
func completion(tokens int) string {
	var b strings.Builder
	for i := 1; i <= tokens; i++ {
		b.WriteString(word(i))
	}
	return b.String()
}

// promptTokens counts a message's or input's words: a string's words,
// one per content part otherwise, for a count that adds up.
func promptTokens(content json.RawMessage) int {
	var text string
	if json.Unmarshal(content, &text) == nil {
		return len(strings.Fields(text))
	}
	var parts []json.RawMessage
	if json.Unmarshal(content, &parts) == nil {
		return len(parts)
	}
	return 1
}

// wholeWait is how long a whole (not streamed) answer takes: the time
// the stream would.
func (h *Handler) wholeWait(r *http.Request, tokens int) bool {
	wait := h.cfg.FirstEventDelay
	for i := 2; i <= tokens; i++ {
		wait += h.gapBefore(i)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-t.C:
		return true
	}
}
