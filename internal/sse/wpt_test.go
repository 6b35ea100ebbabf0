package sse

import (
	"strings"
	"testing"
)

// The vectors below are derived, one per test, from the web-platform-tests
// eventsource/format-* tests (bytes as their resources/message.py sends
// them, expectations as the tests assert them). Each runs whole and one
// byte at a time; tests that span reconnects feed each connection's body
// and call End between them, as a reconnecting EventSource does.

func TestWPTFormat(t *testing.T) {
	x2048 := strings.Repeat("x", 2048)
	runVectors(t, []vector{
		{name: "format-bom", in: "\uFEFFdata:1\n\n\uFEFFdata:2\n\ndata:3\n\n\n", want: []string{"E(message|1|)", "E(message|3|)"}},
		{name: "format-bom-2", in: "\uFEFF\uFEFFdata:1\n\ndata:2\n\ndata:3\n\n\n", want: []string{"E(message|2|)", "E(message|3|)"}},
		{name: "format-comments", in: "data:1\r:\x00\n:\r\ndata:2\n:" + x2048 + "\rdata:3\n:data:fail\r:" + x2048 + "\ndata:4\n\n",
			want: []string{"C(\x00)", "C()", "C(" + x2048 + ")", "C(data:fail)", "C(" + x2048 + ")", "E(message|1\n2\n3\n4|)"}},
		{name: "format-field-data", in: "data:\n\ndata\ndata\n\ndata:test\n\n\n", want: []string{"E(message||)", "E(message|\n|)", "E(message|test|)"}},
		{name: "format-field-event-empty", in: "event: \ndata:data\n\n\n", want: []string{"E(message|data|)"}},
		{name: "format-field-event", in: "event:test\ndata:x\n\ndata:x\n\n\n", want: []string{"E(test|x|)", "E(message|x|)"}},
		{name: "format-field-id-3 type 1", in: "id: 1\ndata: 1\n\ndata: 2\n\nid: 2\ndata:3\n\ndata:4\n\n",
			want: []string{"E(message|1|1)", "E(message|2|1)", "E(message|3|2)", "E(message|4|2)"}},
		{name: "format-field-id-3 type 2", in: "id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n", want: []string{"E(message|1|1)", "E(message|2|)", "E(message|3|)"}},
		{name: "format-field-id-3 type 3", in: "id: 1\ndata: 1\n\nid\ndata:2\n\ndata:3\n\n", want: []string{"E(message|1|1)", "E(message|2|)", "E(message|3|)"}},
		{name: "format-field-parsing", in: "data:\x00\ndata:  2\rData:1\ndata\x00:2\ndata:1\r\x00data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n",
			want: []string{"E(message|\x00\n 2\n1\n3\n\n4|)"}},
		{name: "format-field-retry-bogus", in: "retry:3000\nretry:1000x\ndata:x\n\n\n", want: []string{"R(3000)", "E(message|x|)"}},
		{name: "format-field-retry-empty", in: "retry\ndata:test\n\n\n", want: []string{"E(message|test|)"}},
		{name: "format-field-retry", in: "retry:03000\ndata:x\n\n\n", want: []string{"R(3000)", "E(message|x|)"}},
		{name: "format-field-unknown", in: "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n",
			want: []string{"C(thisisacommentyay)", "E(message|test\n\ntest|)"}},
		{name: "format-leading-space", in: "data:\ttest\rdata: \ndata:test\n\n\n", want: []string{"E(message|\ttest\n\ntest|)"}},
		{name: "format-newlines", in: "data:test\r\ndata\ndata:test\r\n\r\n", want: []string{"E(message|test\n\ntest|)"}},
		{name: "format-null-character", in: "data:\x00\n\n\n\n\n", want: []string{"E(message|\x00|)"}},
		{name: "format-utf-8", in: "data:ok\u2026\n\n\n", want: []string{"E(message|ok\u2026|)"}},
		{name: "event-data", in: "data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\ndata:end\n\n",
			want: []string{"E(message|msg\nmsg|)", "C()", "E(message||)", "E(message|end|)"}},
	})
}

// connections feeds each body as one connection (End between them) and
// returns everything dispatched.
func connections(bodies ...string) []string {
	var p Parser
	var out []string
	for _, b := range bodies {
		for i := 0; i < len(b); i++ {
			for _, it := range p.Feed([]byte{b[i]}) {
				out = append(out, render(it))
			}
		}
		p.End()
	}
	return out
}

func TestWPTAcrossReconnects(t *testing.T) {
	tests := []struct {
		name   string
		bodies []string
		want   []string
	}{
		// The trailing block has an id but no final empty line: discarded,
		// and its id forgotten; the reconnect sends no Last-Event-ID.
		{"format-data-before-final-empty-line", []string{"retry:1000\ndata:test1\n\nid:test\ndata:test2\n", "retry:1000\ndata:test1\n\nid:test\ndata:test2\n"},
			[]string{"R(1000)", "E(message|test1|)", "R(1000)", "E(message|test1|)"}},
		// The last event ID persists into events of later connections.
		{"format-field-id", []string{"id: \u2026\nretry: 200\ndata: hello\n\n", "data: \u2026\n\n"},
			[]string{"R(200)", "E(message|hello|\u2026)", "E(message|\u2026|\u2026)"}},
		{"format-field-id-2", []string{"id: \u2026\nretry: 200\ndata: hello\n\n", "data: \u2026\n\n", "data: \u2026\n\n"},
			[]string{"R(200)", "E(message|hello|\u2026)", "E(message|\u2026|\u2026)", "E(message|\u2026|\u2026)"}},
	}
	for _, tt := range tests {
		if got := connections(tt.bodies...); strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s:\n  %q\nwant\n  %q", tt.name, got, tt.want)
		}
	}
	// format-field-id-null: an id holding NUL anywhere is ignored.
	for _, id := range []string{"\x00\x00", "x\x00", "\x00x", "x\x00x", " \x00"} {
		body := "id: " + id + "\nretry: 200\ndata: hello\n\n"
		if got := connections(body, body); strings.Join(got, " ") != "R(200) E(message|hello|) R(200) E(message|hello|)" {
			t.Errorf("format-field-id-null %q: %q", id, got)
		}
	}
}

// The MIME tests: the connection is used or failed on Content-Type alone.
func TestWPTMime(t *testing.T) {
	for header, ok := range map[string]bool{
		"text/event-stream":                      true,
		"text/event-stream;":                     true, // format-mime-trailing-semicolon
		"text/event-stream;charset=windows-1252": true, // format-utf-8: the charset is ignored
		"Text/Event-Stream; charset=utf-8":       true,
		"x bogus":                                false, // format-mime-bogus
		"text/x-bogus":                           false, // format-mime-valid-bogus
		"":                                       false,
		"text/event-stream/x":                    false,
		"application/json":                       false,
	} {
		if got := ContentTypeOK(header); got != ok {
			t.Errorf("ContentTypeOK(%q) = %v, want %v", header, got, ok)
		}
	}
}
