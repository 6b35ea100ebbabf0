package probe

import "strings"

// ContentEncoding is the content coding of the response the call's
// messages arrive on ("" for none): the answer to the POST on Streamable
// HTTP, the session's stream on HTTP+SSE. Next decodes it.
func (m *MCPStream) ContentEncoding() string {
	resp := m.Response
	if st, ok := m.src.(*sessionStream); ok {
		resp = st.resp
	}
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if enc == "identity" {
		return ""
	}
	return enc
}
