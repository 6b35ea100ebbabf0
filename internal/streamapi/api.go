package streamapi

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// API is what a front end knows of one API.
type API struct {
	// Names are what --stream-api may call it: its name, display name,
	// path (URL suffix), resource address.
	Names []string
	// Path is the API's URL suffix ("openai"), when known.
	Path string
	// Operations are the API's operations, from its specification or its
	// operation resources.
	Operations []Operation
	// Spec names the specification the operations come from ("" when
	// none does).
	Spec string
	// Backends are the URLs and hosts its requests go to: the service URL,
	// a backend entity's url, set-backend-service base-url.
	Backends []Backend
	// AIAccounts are Azure OpenAI, AI Services or Foundry accounts its
	// backend points at (a plan's resource addresses).
	AIAccounts []string
	// MCP says why it is an MCP server API ("" when it is not).
	MCP string
	// Type is the API's type as the source names it (http, soap,
	// graphql, websocket); "" when not known.
	Type string
	// Signals are what its request paths' policies say, already placed:
	// "llm-token-limit at apis/chat/policy.xml:4:5".
	Signals []string
	// Marker is the sseready:streams or sseready:no-stream comment at
	// the top of the API's policy.
	Marker *Marker
}

// Operation is one operation of an API.
type Operation struct {
	Name        string
	Method      string
	URLTemplate string
	// MediaTypes are the media types its specification declares for its
	// responses (nil when it declares none).
	MediaTypes []string
}

// Backend is a URL an API's requests are sent to, and where it is set.
type Backend struct {
	URL   string
	Where string
}

// streamingRoutes are the suffixes of the streaming LLM and agent routes
// (OpenAI's chat completions, completions and Responses, Anthropic's
// Messages, MCP's Streamable HTTP and HTTP+SSE endpoints).
var streamingRoutes = []string{"/chat/completions", "/completions", "/responses", "/v1/messages", "/mcp", "/sse"}

// StreamingRoute reports whether a URL template or path is a known
// streaming LLM or agent route, and which.
func StreamingRoute(template string) (string, bool) {
	p, _, _ := strings.Cut(template, "?")
	p = "/" + strings.Trim(strings.ToLower(strings.TrimSpace(p)), "/")
	for _, r := range streamingRoutes {
		if strings.HasSuffix(p, r) {
			return r, true
		}
	}
	return "", false
}

// aiHostSuffixes are the hosts of Azure OpenAI, AI Services and Foundry
// endpoints.
var aiHostSuffixes = []string{".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"}

// AIHost reports whether rawURL (a URL or a bare host) is an Azure OpenAI,
// AI Services or Foundry endpoint.
func AIHost(rawURL string) bool {
	host := strings.TrimSpace(rawURL)
	if u, err := url.Parse(host); err == nil && u.Host != "" {
		host = u.Hostname()
	} else {
		host, _, _ = strings.Cut(host, "/")
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, s := range aiHostSuffixes {
		if strings.HasSuffix(host, s) && len(host) > len(s) {
			return true
		}
	}
	return false
}

func (a API) streamEvidence() []string {
	var ev []string
	for _, op := range a.Operations {
		for _, mt := range op.MediaTypes {
			if isEventStream(mt) {
				ev = append(ev, fmt.Sprintf("%s declares a text/event-stream response for %s", a.Spec, op.label()))
				break
			}
		}
	}
	seen := map[string]bool{}
	route := func(what, template string) {
		if r, ok := StreamingRoute(template); ok && !seen[template] {
			seen[template] = true
			ev = append(ev, fmt.Sprintf("%s %s is a streaming LLM or agent route (…%s)", what, template, r))
		}
	}
	if a.Path != "" {
		route("its path", "/"+strings.Trim(a.Path, "/"))
	}
	for _, op := range a.Operations {
		route("operation "+op.label()+": URL template", op.URLTemplate)
	}
	for _, b := range a.Backends {
		if AIHost(b.URL) {
			ev = append(ev, fmt.Sprintf("its backend %s (%s) is an Azure OpenAI, AI Services or Foundry endpoint", b.URL, b.Where))
		}
	}
	for _, acc := range a.AIAccounts {
		ev = append(ev, fmt.Sprintf("its backend is the account %s", acc))
	}
	if a.MCP != "" {
		ev = append(ev, "it is an MCP server API ("+a.MCP+")")
	}
	return append(ev, a.Signals...)
}

func (a API) noStreamEvidence() []string {
	switch strings.ToLower(a.Type) {
	case "soap", "websocket", "graphql":
		return []string{fmt.Sprintf("its type is %s, which carries no event stream", strings.ToLower(a.Type))}
	}
	if a.Spec == "" || len(a.Operations) == 0 {
		return nil
	}
	types := map[string]bool{}
	for _, op := range a.Operations {
		if len(op.MediaTypes) == 0 {
			return nil // an operation whose responses say nothing may stream
		}
		for _, mt := range op.MediaTypes {
			types[strings.ToLower(mt)] = true
		}
	}
	var list []string
	for mt := range types {
		list = append(list, mt)
	}
	slices.Sort(list)
	ops := fmt.Sprintf("its %d operations", len(a.Operations))
	if len(a.Operations) == 1 {
		ops = "its operation"
	}
	return []string{fmt.Sprintf("%s declares the responses of %s as %s only", a.Spec, ops, strings.Join(list, ", "))}
}

func (op Operation) label() string {
	switch {
	case op.Method != "" && op.URLTemplate != "":
		return op.Method + " " + op.URLTemplate
	case op.Name != "":
		return op.Name
	}
	return op.URLTemplate
}

func isEventStream(mediaType string) bool {
	mt, _, _ := strings.Cut(mediaType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/event-stream")
}

// Marker is the comment with which a user says whether an API streams.
type Marker struct {
	Streams bool
	// Where names the comment's place: "FILE:L:C".
	Where string
}

func (m Marker) Text() string {
	if m.Streams {
		return "<!-- " + markerStreams + " -->"
	}
	return "<!-- " + markerNoStream + " -->"
}

const (
	markerStreams  = "sseready:streams"
	markerNoStream = "sseready:no-stream"
)

// ReadMarker finds the marker comment at the top of an API's policy: a
// comment before the root element, or before the first element inside it.
// file names the policy in Where.
func ReadMarker(doc *apimpolicy.Document, file string) *Marker {
	if doc == nil {
		return nil
	}
	look := func(nodes []apimpolicy.Node) (*Marker, bool) {
		for _, n := range nodes {
			switch n := n.(type) {
			case *apimpolicy.Comment:
				text := strings.TrimSpace(n.Raw)
				for _, m := range []struct {
					word    string
					streams bool
				}{{markerStreams, true}, {markerNoStream, false}} {
					if rest, ok := strings.CutPrefix(text, m.word); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n') {
						return &Marker{Streams: m.streams, Where: fmt.Sprintf("%s:%d:%d", file, n.Pos.Line, n.Pos.Column)}, true
					}
				}
			case *apimpolicy.Element:
				return nil, true
			}
		}
		return nil, false
	}
	if m, done := look(doc.Nodes); m != nil || (done && doc.Root() == nil) {
		return m
	}
	if root := doc.Root(); root != nil {
		m, _ := look(root.Children)
		return m
	}
	return nil
}
