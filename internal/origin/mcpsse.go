package origin

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// sseSession is one HTTP+SSE transport session: the messages for its
// stream, and the end of that stream.
type sseSession struct {
	out  chan any
	done chan struct{}
}

// send queues a message for the stream; false once the stream ended.
func (s *sseSession) send(msg any) bool {
	select {
	case s.out <- msg:
		return true
	case <-s.done:
		return false
	}
}

// wait waits d; false once the stream ended. The stream's own loop sends
// the heartbeats.
func (s *sseSession) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

func (m *mcpServer) addStream(id string, s *sseSession) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.streams[id] = s
}

func (m *mcpServer) stream(id string) *sseSession {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.streams[id]
}

func (m *mcpServer) endStream(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.streams, id)
}

// serveSSEStream serves the HTTP+SSE transport's GET: the endpoint event,
// then each message of the session as a message event, with heartbeats
// when it has been silent for Heartbeat, until the client leaves.
func (h *Handler) serveSSEStream(w http.ResponseWriter, r *http.Request, f http.Flusher) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "Method Not Allowed: the HTTP+SSE transport's stream is a GET; its endpoint event says where to POST", http.StatusMethodNotAllowed)
		return
	}
	id := newSessionID()
	sess := &sseSession{out: make(chan any, 64), done: make(chan struct{})}
	h.mcp.addStream(id, sess)
	defer func() {
		h.mcp.endStream(id)
		close(sess.done)
	}()
	h.writeStreamHeaders(w, f)
	sw := sse.NewWriter(w)
	if sw.Event("", "endpoint", MCPMessagesPath+"?sessionId="+id) != nil {
		return
	}
	f.Flush()
	var beat <-chan time.Time
	var hb *time.Timer
	if h.cfg.Heartbeat > 0 {
		hb = time.NewTimer(h.cfg.Heartbeat)
		defer hb.Stop()
		beat = hb.C
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-sess.out:
			data, _ := json.Marshal(msg)
			if sw.Event("", "message", string(data)) != nil {
				return
			}
		case <-beat:
			if sw.Comment("heartbeat") != nil {
				return
			}
		}
		f.Flush()
		if hb != nil {
			hb.Reset(h.cfg.Heartbeat)
		}
	}
}

// serveSSEPost takes a message POSTed to the session's endpoint: 202,
// and the answer, if any, on the session's stream.
func (h *Handler) serveSSEPost(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Method Not Allowed: POST messages here", http.StatusMethodNotAllowed)
		return
	}
	sess := h.mcp.stream(r.URL.Query().Get("sessionId"))
	if sess == nil {
		http.Error(w, "Not Found: no such session (open "+MCPSSEPath+" first)", http.StatusNotFound)
		return
	}
	m, ok := readRPC(w, r)
	if !ok {
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, "Accepted")
	if !m.isRequest() {
		return
	}
	if m.Method == "initialize" {
		sess.send(response(m.ID, initialize(m.Params), nil))
		return
	}
	result, e, call := h.answer(m)
	if call == nil {
		sess.send(response(m.ID, result, e))
		return
	}
	go h.run(call, sess.send, sess.wait)
}
