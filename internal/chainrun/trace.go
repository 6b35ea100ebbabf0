package chainrun

import (
	"bytes"
	"net"
	"strconv"
	"sync"
	"time"
)

// Trace is when each event of a proof passed each server of the chain:
// the origin wrote it, each hop wrote it to its client, the client read
// it. It shows where an event was held (the time between two servers) and
// where it was cut (the last server it passed).
//
// How it is recorded (Run.Trace): Start wraps the listener of the origin
// and of each hop, and each connection they accept writes its response
// through a tap that reads the bytes as they go out (the head, the
// chunked framing, the SSE lines) and notes the time of the write that
// ends each event (its blank line), taken as the write begins. Package gateway is not changed. The one
// difference a trace makes is that a tapped connection is no
// syscall.Conn, so a hop writes to it through net.Conn, the portable path
// (as on Windows and for TLS), not through its own poller loop: a proof
// without Trace runs as before.
type Trace struct {
	// Origin is when the origin wrote each event.
	Origin Passages `json:"origin"`
	// Hops are the hops, client side first (as Run.Hops).
	Hops []Passages `json:"hops"`
	// ClientMS is when the client read each event (the probe's ArrivalMS).
	ClientMS []float64 `json:"client_ms"`
	// Cuts are the cuts the hops made, with when.
	Cuts []TracedCut `json:"cuts"`
}

// Passages are the times one server wrote the events toward the client,
// in milliseconds after the probe's request (probe.Report.Started, the
// time its ArrivalMS count from): AtMS[i] is event i+1's. An event the server
// never wrote has no entry: AtMS is as long as the events it passed.
type Passages struct {
	Name string    `json:"name"`
	AtMS []float64 `json:"at_ms"`
}

// TracedCut is a hop's cut and when it made it.
type TracedCut struct {
	Hop    string  `json:"hop"`
	AtMS   float64 `json:"at_ms"`
	Reason string  `json:"reason"`
	Silent bool    `json:"silent"`
}

// recorder collects a trace from the taps, in wall-clock times until
// the trace is taken.
type recorder struct {
	mu sync.Mutex
	// at holds each server's passages by its name ("origin", the hops').
	at    map[string][]time.Time
	cuts  []Cut
	cutAt []time.Time
}

func newRecorder() *recorder { return &recorder{at: map[string][]time.Time{}} }

func (r *recorder) passed(server string, n int, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range n {
		r.at[server] = append(r.at[server], at)
	}
}

func (r *recorder) cut(c Cut, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cuts, r.cutAt = append(r.cuts, c), append(r.cutAt, at)
}

// trace is what was recorded, for the hops named (client side first), in
// milliseconds after start (the probe's request).
func (r *recorder) trace(start time.Time, hops []string) *Trace {
	r.mu.Lock()
	defer r.mu.Unlock()
	ms := func(ts []time.Time) []float64 {
		out := []float64{}
		for _, t := range ts {
			out = append(out, float64(t.Sub(start).Microseconds())/1000)
		}
		return out
	}
	t := &Trace{Origin: Passages{Name: originName, AtMS: ms(r.at[originName])}, Cuts: []TracedCut{}, ClientMS: []float64{}}
	for _, h := range hops {
		t.Hops = append(t.Hops, Passages{Name: h, AtMS: ms(r.at[h])})
	}
	for i, c := range r.cuts {
		t.Cuts = append(t.Cuts, TracedCut{Hop: c.Hop, AtMS: ms(r.cutAt[i : i+1])[0], Reason: c.Reason, Silent: c.Silent})
	}
	return t
}

const originName = "origin"

// tapListener wraps a server's listener so each connection's writes pass
// the tap.
type tapListener struct {
	net.Listener
	rec    *recorder
	server string
}

func (l tapListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &tapConn{Conn: c, rec: l.rec, server: l.server}, nil
}

// tapConn is a connection whose writes (a response) are read as they go.
type tapConn struct {
	net.Conn
	rec    *recorder
	server string
	mu     sync.Mutex
	p      sseTap
}

// Write notes the events the bytes end, and the time, before the bytes
// go: the reader behind cannot have them sooner, so the times along the
// path keep their order however the machine schedules the writer, and
// the trace holds them by the time the client has read them (noted after
// the write, a writer descheduled past the client's last read left a
// hop with no passages). A write that fails part way has counted events
// its reader may never get: the connection is broken, and the client's
// own arrivals tell.
func (c *tapConn) Write(b []byte) (int, error) {
	at := time.Now()
	c.mu.Lock()
	events := c.p.feed(b)
	c.mu.Unlock()
	if events > 0 {
		c.rec.passed(c.server, events, at)
	}
	return c.Conn.Write(b)
}

// sseTap reads an HTTP/1.1 response as it is written and counts the SSE
// events that end in it: a block of lines with a data field, ended by a
// blank line, as a client dispatches them. Comments (heartbeats) are not
// events. It keeps only what it needs: the head until its end (bounded),
// the chunk framing and the first bytes of each line.
type sseTap struct {
	state   tapState
	head    []byte
	left    int64  // bytes left in the current chunk
	size    []byte // the chunk size line so far
	line    []byte // the first bytes of the current SSE line
	lineLen int
	cr      bool // the last byte ended a line with \r
	hasData bool
}

type tapState int

const (
	tapHead tapState = iota
	tapChunkSize
	tapChunkData
	tapChunkEnd
	tapRaw
	tapDone
)

// maxHead bounds the head kept: a response head longer than this is not
// one the chain writes.
const maxHead = 64 << 10

// feed reads the bytes written and returns how many events they ended.
func (t *sseTap) feed(b []byte) int {
	events := 0
	for len(b) > 0 {
		switch t.state {
		case tapHead:
			t.head = append(t.head, b[0])
			b = b[1:]
			if bytes.HasSuffix(t.head, []byte("\r\n\r\n")) {
				t.state = tapRaw
				if chunkedHead(t.head) {
					t.state = tapChunkSize
				}
				t.head = nil
			} else if len(t.head) > maxHead {
				t.state, t.head = tapDone, nil
			}
		case tapChunkSize:
			c := b[0]
			b = b[1:]
			if c != '\n' {
				t.size = append(t.size, c)
				continue
			}
			s := string(bytes.TrimSpace(t.size))
			if i := bytes.IndexByte([]byte(s), ';'); i >= 0 {
				s = s[:i]
			}
			t.size = t.size[:0]
			n, err := strconv.ParseInt(s, 16, 64)
			switch {
			case err != nil:
				t.state = tapDone
			case n == 0:
				t.state = tapDone // the trailers and the end: no events
			default:
				t.left, t.state = n, tapChunkData
			}
		case tapChunkData:
			n := min(int64(len(b)), t.left)
			events += t.body(b[:n])
			b, t.left = b[n:], t.left-n
			if t.left == 0 {
				t.state, t.left = tapChunkEnd, 2
			}
		case tapChunkEnd:
			n := min(int64(len(b)), t.left)
			b, t.left = b[n:], t.left-n
			if t.left == 0 {
				t.state = tapChunkSize
			}
		case tapRaw:
			events += t.body(b)
			b = nil
		case tapDone:
			b = nil
		}
	}
	return events
}

// body reads body bytes as SSE lines.
func (t *sseTap) body(b []byte) int {
	events := 0
	for _, c := range b {
		if c == '\n' && t.cr {
			t.cr = false // the \n of a \r\n: the line already ended
			continue
		}
		t.cr = c == '\r'
		if c != '\n' && c != '\r' {
			if len(t.line) < 5 {
				t.line = append(t.line, c)
			}
			t.lineLen++
			continue
		}
		if t.lineLen == 0 {
			if t.hasData {
				events++
			}
			t.hasData = false
		} else if string(t.line) == "data:" || t.lineLen == 4 && string(t.line) == "data" {
			t.hasData = true
		}
		t.line, t.lineLen = t.line[:0], 0
	}
	return events
}

// chunkedHead reports whether a response head says Transfer-Encoding:
// chunked.
func chunkedHead(head []byte) bool {
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("Transfer-Encoding")) &&
			bytes.Contains(bytes.ToLower(value), []byte("chunked")) {
			return true
		}
	}
	return false
}
