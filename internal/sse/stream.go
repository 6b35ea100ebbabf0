package sse

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Writer writes an event stream.
type Writer struct {
	w io.Writer
}

// NewWriter writes to w. Flushing, where the transport needs it, is the
// caller's: Writer writes each event in one call.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// ErrLineBreak is returned for an id, event type or comment holding a line
// break, which would end the field early.
var ErrLineBreak = errors.New("sse: a line break cannot stand in an id, event type or comment")

// Event writes one event: id and event fields when set, a data line per
// line of data (CRLF, CR and LF all split), and the empty line that
// dispatches it. A reader gets Data back with its line breaks as LF.
func (w *Writer) Event(id, eventType, data string) error {
	if strings.ContainsAny(id+eventType, "\r\n") {
		return ErrLineBreak
	}
	if strings.ContainsRune(id, 0) {
		return fmt.Errorf("sse: an id holding NUL is ignored by readers")
	}
	var b strings.Builder
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	if eventType != "" {
		b.WriteString("event: " + eventType + "\n")
	}
	data = strings.ReplaceAll(data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	for _, line := range strings.Split(data, "\n") {
		// "data: " then the line: readers remove exactly the one space, so
		// a line's own leading spaces survive.
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w.w, b.String())
	return err
}

// Comment writes a comment line, such as a heartbeat. Readers ignore it;
// every proxy on the way sees bytes.
func (w *Writer) Comment(text string) error {
	if strings.ContainsAny(text, "\r\n") {
		return ErrLineBreak
	}
	_, err := io.WriteString(w.w, ": "+text+"\n\n")
	return err
}

// Retry sets the reader's reconnection time.
func (w *Writer) Retry(d time.Duration) error {
	_, err := io.WriteString(w.w, "retry: "+strconv.FormatInt(d.Milliseconds(), 10)+"\n\n")
	return err
}

// Received is an item and the read that completed it: when that read
// returned, which read it was and how many bytes it brought. Items that
// share a read arrived together, however far apart they were sent: what a
// buffering hop looks like from the client.
type Received struct {
	Item
	Arrived time.Time
	// Read numbers the reads that returned bytes, from 1.
	Read int
	// ReadBytes is how many bytes that read returned.
	ReadBytes int
}

// Reader reads items from a stream as they arrive.
type Reader struct {
	r      io.Reader
	p      Parser
	queue  []Received
	buf    []byte
	err    error
	closed bool
	// Discarded is set at the end of the stream when an event had begun
	// but was not ended by an empty line (it was not dispatched).
	Discarded bool
	now       func() time.Time
	reads     int
}

// NewReader reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, buf: make([]byte, 32*1024), now: time.Now}
}

// LastEventID is the last event ID seen so far.
func (r *Reader) LastEventID() string { return r.p.LastEventID() }

// Next returns the next item. At the end of the stream it returns io.EOF
// (or the read error), after setting Discarded.
func (r *Reader) Next() (Received, error) {
	for len(r.queue) == 0 {
		if r.closed {
			return Received{}, r.err
		}
		n, err := r.r.Read(r.buf)
		at := r.now()
		if n > 0 {
			r.reads++
		}
		for _, it := range r.p.Feed(r.buf[:n]) {
			r.queue = append(r.queue, Received{Item: it, Arrived: at, Read: r.reads, ReadBytes: n})
		}
		if err != nil {
			r.closed, r.err = true, err
			r.Discarded = r.p.End()
		}
	}
	it := r.queue[0]
	r.queue = r.queue[1:]
	return it, nil
}
