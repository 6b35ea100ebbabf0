package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// safetyWindow holds a stream as llm-content-safety does when it checks
// completions (FACTS.md): events wait in a sliding window of size
// characters of event data and leave it, oldest first, as newer ones
// push them out; the rest leaves when the stream ends. An event is
// checked when it enters: one whose data holds block (the test device,
// case-insensitive) is a violation, and the hop stops forwarding.
type safetyWindow struct {
	size  int
	block []byte
	// limit bounds the bytes held (Config.BufferCap).
	limit int
	// pending is the event not complete yet; held the events in the
	// window, oldest first, with their data characters in chars.
	pending []byte
	held    [][]byte
	chars   []int
	total   int
}

// errBlocked ends a stream the content safety window stopped.
var errBlocked = errors.New("llm-content-safety found a violation")

func newSafetyWindow(size int, block string, limit int) *safetyWindow {
	return &safetyWindow{size: size, block: bytes.ToLower([]byte(block)), limit: limit}
}

// push takes body bytes and returns the bytes that leave the window, in
// order, or errBlocked.
func (w *safetyWindow) push(p []byte) ([]byte, error) {
	if len(w.pending)+len(p) > w.limit {
		return nil, fmt.Errorf("the content safety window outgrew the cap of %d bytes (an event that does not end)", w.limit)
	}
	w.pending = append(w.pending, p...)
	var out []byte
	for {
		n := eventEnd(w.pending)
		if n == 0 {
			return out, nil
		}
		ev := append([]byte(nil), w.pending[:n]...)
		w.pending = append(w.pending[:0], w.pending[n:]...)
		if err := w.enter(ev); err != nil {
			return nil, err
		}
		for w.total > w.size && len(w.held) > 0 {
			out = append(out, w.held[0]...)
			w.total -= w.chars[0]
			w.held, w.chars = w.held[1:], w.chars[1:]
		}
	}
}

// end returns what the window still holds when the stream ends, the
// last incomplete event with it, or errBlocked.
func (w *safetyWindow) end() ([]byte, error) {
	if len(w.pending) > 0 {
		if err := w.enter(w.pending); err != nil {
			return nil, err
		}
		w.pending = nil
	}
	out := bytes.Join(w.held, nil)
	w.held, w.chars, w.total = nil, nil, 0
	return out, nil
}

// enter checks an event and puts it in the window.
func (w *safetyWindow) enter(ev []byte) error {
	data := eventData(ev)
	if len(w.block) > 0 && bytes.Contains(bytes.ToLower(data), w.block) {
		w.held, w.chars, w.total, w.pending = nil, nil, 0, nil
		return errBlocked
	}
	n := utf8.RuneCount(data)
	w.held = append(w.held, ev)
	w.chars = append(w.chars, n)
	w.total += n
	return nil
}

// eventEnd is the length of the first complete event in p (its lines up
// to and with the empty line that dispatches it), or 0. Lines end in
// CRLF, LF or CR (WHATWG); a CR at the very end may be half a CRLF, so it
// waits for the next byte.
func eventEnd(p []byte) int {
	lineStart := 0
	for i := 0; i < len(p); {
		c := p[i]
		if c != '\n' && c != '\r' {
			i++
			continue
		}
		next := i + 1
		if c == '\r' {
			if next == len(p) {
				return 0
			}
			if next < len(p) && p[next] == '\n' {
				next++
			}
		}
		if i == lineStart {
			return next // an empty line: the event ends here
		}
		lineStart, i = next, next
	}
	return 0
}

// eventData is the event's data fields' values, joined with LF.
func eventData(ev []byte) []byte {
	var out [][]byte
	for len(ev) > 0 {
		i := bytes.IndexAny(ev, "\r\n")
		line := ev
		if i >= 0 {
			line, ev = ev[:i], ev[i+1:]
		} else {
			ev = nil
		}
		switch {
		case bytes.Equal(line, []byte("data")):
			out = append(out, nil)
		case bytes.HasPrefix(line, []byte("data:")):
			v := line[len("data:"):]
			out = append(out, bytes.TrimPrefix(v, []byte(" ")))
		}
	}
	return bytes.Join(out, []byte("\n"))
}
