package sse

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// vector is a conformance case: bytes in, items out.
type vector struct {
	name      string
	in        string
	want      []string // rendered items, see render
	discarded bool     // End reports an unfinished event
}

// render writes an item compactly: E(type|data|id), C(text), R(ms).
func render(it Item) string {
	switch it.Kind {
	case KindEvent:
		return fmt.Sprintf("E(%s|%s|%s)", it.Event.Type, it.Event.Data, it.Event.LastEventID)
	case KindComment:
		return fmt.Sprintf("C(%s)", it.Comment)
	default:
		return fmt.Sprintf("R(%d)", it.RetryMillis)
	}
}

// feedAll parses in, whole or one byte at a time.
func feedAll(in string, byteAtATime bool) ([]string, bool) {
	var p Parser
	var out []string
	add := func(items []Item) {
		for _, it := range items {
			out = append(out, render(it))
		}
	}
	if byteAtATime {
		for i := 0; i < len(in); i++ {
			add(p.Feed([]byte{in[i]}))
		}
	} else {
		add(p.Feed([]byte(in)))
	}
	return out, p.End()
}

func runVectors(t *testing.T, vectors []vector) {
	t.Helper()
	for _, v := range vectors {
		for _, byByte := range []bool{false, true} {
			name := v.name + "/whole"
			if byByte {
				name = v.name + "/byte-by-byte"
			}
			t.Run(name, func(t *testing.T) {
				got, discarded := feedAll(v.in, byByte)
				if strings.Join(got, " ") != strings.Join(v.want, " ") {
					t.Errorf("items\n  %q\nwant\n  %q", got, v.want)
				}
				if discarded != v.discarded {
					t.Errorf("discarded = %v, want %v", discarded, v.discarded)
				}
			})
		}
	}
}

// TestRules pins each rule of "Interpreting an event stream".
func TestRules(t *testing.T) {
	runVectors(t, []vector{
		{name: "one event", in: "data: hello\n\n", want: []string{"E(message|hello|)"}},
		{name: "two data lines", in: "data: a\ndata: b\n\n", want: []string{"E(message|a\nb|)"}},
		{name: "CRLF", in: "data: a\r\ndata: b\r\n\r\n", want: []string{"E(message|a\nb|)"}},
		{name: "CR", in: "data: a\rdata: b\r\r", want: []string{"E(message|a\nb|)"}},
		{name: "mixed line ends", in: "data: a\r\ndata: b\ndata: c\r\r\n", want: []string{"E(message|a\nb\nc|)"}},
		{name: "BOM stripped once", in: "\uFEFFdata: x\n\n", want: []string{"E(message|x|)"}},
		{name: "second BOM kept", in: "\uFEFF\uFEFFdata: x\n\ndata: y\n\n", want: []string{"E(message|y|)"}},
		{name: "comment", in: ": heartbeat\n\n", want: []string{"C( heartbeat)"}},
		{name: "empty comment", in: ":\n", want: []string{"C()"}},
		{name: "one leading space removed", in: "data:  two\ndata:none\n\n", want: []string{"E(message| two\nnone|)"}},
		{name: "field without colon", in: "data\n\n", want: []string{"E(message||)"}},
		{name: "colon in value", in: "data: a: b\n\n", want: []string{"E(message|a: b|)"}},
		{name: "event type", in: "event: tick\ndata: 1\n\ndata: 2\n\n", want: []string{"E(tick|1|)", "E(message|2|)"}},
		{name: "empty event type is message", in: "event:\ndata: x\n\n", want: []string{"E(message|x|)"}},
		{name: "id persists", in: "id: 7\ndata: a\n\ndata: b\n\n", want: []string{"E(message|a|7)", "E(message|b|7)"}},
		{name: "empty id resets", in: "id: 7\ndata: a\n\nid\ndata: b\n\n", want: []string{"E(message|a|7)", "E(message|b|)"}},
		{name: "id with NUL ignored", in: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", want: []string{"E(message|a|1)", "E(message|b|1)"}},
		{name: "id without data still sets last id", in: "id: 9\n\ndata: a\n\n", want: []string{"E(message|a|9)"}},
		{name: "retry", in: "retry: 1500\n", want: []string{"R(1500)"}},
		{name: "retry not digits", in: "retry: 1.5\nretry: -1\nretry: 1 \nretry:\n", want: nil},
		{name: "retry huge saturates", in: "retry: 99999999999999999999999\n", want: []string{"R(9223372036854775807)"}},
		{name: "no data no dispatch", in: "event: x\n\n\n\n", want: nil},
		{name: "only one trailing LF removed", in: "data\ndata\n\n", want: []string{"E(message|\n|)"}},
		{name: "unknown field ignored", in: "foo: bar\ndata: x\n\n", want: []string{"E(message|x|)"}},
		{name: "field names are case-sensitive", in: "Data: x\n\n", want: nil},
		{name: "unfinished event discarded", in: "data: a\n\ndata: b\n", want: []string{"E(message|a|)"}, discarded: true},
		{name: "unfinished line discarded", in: "data: a", want: nil, discarded: true},
		{name: "invalid UTF-8 per maximal subpart", in: "data: a\xe2\x82b\xffc\n\n", want: []string{"E(message|a\uFFFDb\uFFFDc|)"}},
		{name: "truncated 4-byte sequence", in: "data: \xf0\x9f\x98\n\n", want: []string{"E(message|\uFFFD|)"}},
		{name: "surrogate encoding rejected", in: "data: \xed\xa0\x80\n\n", want: []string{"E(message|\uFFFD\uFFFD\uFFFD|)"}},
		{name: "valid multibyte", in: "data: ok →☺ 😀\n\n", want: []string{"E(message|ok →☺ 😀|)"}},
	})
}

func TestWriterRoundTrip(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	if err := w.Event("42", "token", "  indented\r\nline two\rthree\n"); err != nil {
		t.Fatal(err)
	}
	if err := w.Comment("heartbeat"); err != nil {
		t.Fatal(err)
	}
	if err := w.Retry(2500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := w.Event("", "", "plain"); err != nil {
		t.Fatal(err)
	}
	want := "id: 42\nevent: token\ndata:   indented\ndata: line two\ndata: three\ndata: \n\n: heartbeat\n\nretry: 2500\n\ndata: plain\n\n"
	if b.String() != want {
		t.Fatalf("wire\n%q\nwant\n%q", b.String(), want)
	}
	got, discarded := feedAll(b.String(), true)
	wantItems := []string{"E(token|  indented\nline two\nthree\n|42)", "C( heartbeat)", "R(2500)", "E(message|plain|42)"}
	if strings.Join(got, " ") != strings.Join(wantItems, " ") || discarded {
		t.Fatalf("read back %q (discarded %v)", got, discarded)
	}
	for _, bad := range []func() error{
		func() error { return w.Event("a\nb", "", "x") },
		func() error { return w.Event("", "a\rb", "x") },
		func() error { return w.Comment("a\nb") },
		func() error { return w.Event("a\x00", "", "x") },
	} {
		if bad() == nil {
			t.Error("a field that readers would misread was written")
		}
	}
}

func TestReaderArrivalAndEnd(t *testing.T) {
	src := "data: a\n\n: hb\n\ndata: b\n\ndata: unfinished\n"
	r := NewReader(iotest.OneByteReader(strings.NewReader(src)))
	clock := time.Unix(0, 0)
	r.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	var got []string
	var last time.Time
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !it.Arrived.After(last) {
			t.Errorf("arrival times do not advance: %v after %v", it.Arrived, last)
		}
		last = it.Arrived
		got = append(got, render(it.Item))
	}
	if strings.Join(got, " ") != "E(message|a|) C( hb) E(message|b|)" || !r.Discarded {
		t.Fatalf("items %q discarded %v", got, r.Discarded)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the end: %v", err)
	}
}

// chunks returns one read's bytes per call, as a connection would.
type chunks []string

func (c *chunks) Read(p []byte) (int, error) {
	if len(*c) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*c)[0])
	(*c)[0] = (*c)[0][n:]
	if (*c)[0] == "" {
		*c = (*c)[1:]
	}
	return n, nil
}

// Items that one read completed share its number and size; a read that
// completes nothing still counts, as it brought bytes.
func TestReaderNumbersReads(t *testing.T) {
	reads := chunks{"data: a\n\ndata: b\n\ndata: c\n\n", "data: d\n", "\n", "data: e\n\n"}
	r := NewReader(&reads)
	var got []string
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s@%d/%d", it.Event.Data, it.Read, it.ReadBytes))
	}
	if want := "a@1/27 b@1/27 c@1/27 d@3/1 e@4/9"; strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}
}

// FuzzParser: whole and byte-by-byte parses agree, and nothing panics.
func FuzzParser(f *testing.F) {
	for _, s := range []string{"data: x\n\n", "\uFEFFid: 1\r\ndata\r\r\n", "retry: 12\n: c\nevent: e\ndata:  y\n\n", "data: \xf0\x9f\n\n", "\r\n\r", "\xef\xbb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, da := feedAll(in, false)
		b, db := feedAll(in, true)
		if strings.Join(a, "\x1e") != strings.Join(b, "\x1e") || da != db {
			t.Fatalf("whole %q (%v) vs byte-by-byte %q (%v)", a, da, b, db)
		}
	})
}

// FuzzWriter: what the writer writes reads back as it was given (data
// line breaks as LF), for any event it accepts.
func FuzzWriter(f *testing.F) {
	f.Add("1", "t", "d")
	f.Add("", "", "")
	f.Add("x", "", "a\r\nb\rc\n")
	f.Fuzz(func(t *testing.T, id, typ, data string) {
		var b strings.Builder
		if err := NewWriter(&b).Event(id, typ, data); err != nil {
			return
		}
		got, discarded := feedAll(b.String(), false)
		wantType := typ
		if wantType == "" {
			wantType = "message"
		}
		wantData := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(data)
		want := render(Item{Kind: KindEvent, Event: Event{Type: decodeUTF8([]byte(wantType)), Data: decodeUTF8([]byte(wantData)), LastEventID: decodeUTF8([]byte(id))}})
		if len(got) != 1 || got[0] != want || discarded {
			t.Fatalf("wrote %q, read %q, want %q", b.String(), got, want)
		}
	})
}
