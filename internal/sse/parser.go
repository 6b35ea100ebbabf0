// Package sse reads and writes text/event-stream exactly as the WHATWG
// HTML standard's "Interpreting an event stream" says: UTF-8 always, one
// leading BOM stripped, lines ended by CRLF, LF or CR (also when a CRLF is
// split between reads), comments, fields split at the first colon with one
// leading space removed, id ignored when it holds NUL, retry digits only,
// no dispatch without data, and an event not ended by an empty line at the
// end of the stream discarded.
package sse

import (
	"math"
	"strings"
)

// Event is a dispatched event, as an EventSource hands it to a page.
type Event struct {
	// Type is the event type ("message" unless an event field set it).
	Type string
	// Data is the data, lines joined with LF.
	Data string
	// LastEventID is the source's last event ID when the event was
	// dispatched.
	LastEventID string
}

// Kind says what an Item is.
type Kind int

const (
	// KindEvent is a dispatched event.
	KindEvent Kind = iota
	// KindComment is a comment line (":..."), such as a heartbeat.
	KindComment
	// KindRetry is a retry field that set the reconnection time.
	KindRetry
)

// Item is what the parser found: an event, a comment or a retry.
type Item struct {
	Kind    Kind
	Event   Event
	Comment string
	// RetryMillis is the reconnection time set by a retry field.
	RetryMillis int64
}

// Parser is an incremental event stream parser. Feed it bytes as they
// arrive, in any chunks; it returns what each chunk completed.
type Parser struct {
	started   bool   // the BOM check is done
	bomPrefix []byte // bytes seen so far that may still be a BOM
	line      []byte // the current, unfinished line (raw bytes)
	afterCR   bool   // the last byte was a CR: a following LF ends nothing

	eventType   strings.Builder
	data        strings.Builder
	idBuffer    string // the last event ID buffer
	lastEventID string // the source's last event ID string
}

// LastEventID is the source's last event ID: what a reconnecting client
// sends as Last-Event-ID.
func (p *Parser) LastEventID() string { return p.lastEventID }

const bom = "\xef\xbb\xbf"

// Feed parses b and returns the items it completed.
func (p *Parser) Feed(b []byte) []Item {
	var items []Item
	if !p.started {
		// One leading U+FEFF is stripped. It may arrive split over reads.
		for len(b) > 0 && !p.started {
			p.bomPrefix = append(p.bomPrefix, b[0])
			b = b[1:]
			switch {
			case string(p.bomPrefix) == bom:
				p.started, p.bomPrefix = true, nil
			case !strings.HasPrefix(bom, string(p.bomPrefix)):
				p.started = true
				pending := p.bomPrefix
				p.bomPrefix = nil
				items = p.feed(pending, items)
			}
		}
	}
	return p.feed(b, items)
}

func (p *Parser) feed(b []byte, items []Item) []Item {
	for len(b) > 0 {
		if p.afterCR {
			p.afterCR = false
			if b[0] == '\n' {
				b = b[1:]
				continue
			}
		}
		i := indexLineEnd(b)
		if i < 0 {
			p.line = append(p.line, b...)
			return items
		}
		p.line = append(p.line, b[:i]...)
		if b[i] == '\r' {
			p.afterCR = true
		}
		b = b[i+1:]
		items = p.processLine(decodeUTF8(p.line), items)
		p.line = p.line[:0]
	}
	return items
}

func indexLineEnd(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// End marks the end of one connection's stream. Pending data is
// discarded; discarded reports whether an event had begun (data or fields
// seen) but was not ended by an empty line, or a line was left unfinished.
//
// The parser can then read the next connection's stream (a reconnect):
// its BOM is stripped again, and its last event ID buffer starts from the
// last event ID string, so an id that only reached the buffer of a
// discarded event is forgotten while the last dispatched one persists (as
// the web-platform-tests format-data-before-final-empty-line and
// format-field-id require, and as Chromium does).
func (p *Parser) End() (discarded bool) {
	discarded = len(p.line) > 0 || len(p.bomPrefix) > 0 || p.data.Len() > 0 || p.eventType.Len() > 0
	p.line = p.line[:0]
	p.bomPrefix = nil
	p.started = false
	p.afterCR = false
	p.data.Reset()
	p.eventType.Reset()
	p.idBuffer = p.lastEventID
	return discarded
}

func (p *Parser) processLine(line string, items []Item) []Item {
	switch {
	case line == "":
		return p.dispatch(items)
	case line[0] == ':':
		return append(items, Item{Kind: KindComment, Comment: line[1:]})
	}
	field, value := line, ""
	if i := strings.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		value = strings.TrimPrefix(value, " ")
	}
	switch field {
	case "event":
		p.eventType.Reset()
		p.eventType.WriteString(value)
	case "data":
		p.data.WriteString(value)
		p.data.WriteByte('\n')
	case "id":
		if !strings.ContainsRune(value, 0) {
			p.idBuffer = value
		}
	case "retry":
		if ms, ok := digits(value); ok {
			items = append(items, Item{Kind: KindRetry, RetryMillis: ms})
		}
	}
	return items
}

// digits reads a retry value: ASCII digits only, base ten. A value too
// large for an int64 saturates.
func digits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			n = math.MaxInt64
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func (p *Parser) dispatch(items []Item) []Item {
	p.lastEventID = p.idBuffer
	if p.data.Len() == 0 {
		p.eventType.Reset()
		return items
	}
	data := strings.TrimSuffix(p.data.String(), "\n")
	typ := p.eventType.String()
	if typ == "" {
		typ = "message"
	}
	p.data.Reset()
	p.eventType.Reset()
	return append(items, Item{Kind: KindEvent, Event: Event{Type: typ, Data: data, LastEventID: p.lastEventID}})
}
