package sse

import "strings"

// ContentTypeOK reports whether a Content-Type header lets an EventSource
// read the stream: its MIME type's essence (type/subtype, any case) must
// be text/event-stream. Parameters, such as a charset (ignored: the stream
// is always UTF-8) or a trailing ';', do not matter.
func ContentTypeOK(header string) bool {
	essence, _, _ := strings.Cut(header, ";")
	essence = strings.TrimSpace(essence)
	typ, sub, ok := strings.Cut(essence, "/")
	if !ok || !isToken(typ) || !isToken(sub) {
		return false
	}
	return strings.EqualFold(typ, "text") && strings.EqualFold(sub, "event-stream")
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}
