package streamapi

import (
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

func TestDecide(t *testing.T) {
	chat := API{Names: []string{"chat", "openai"}, Path: "openai", Operations: []Operation{{Name: "completions", Method: "POST", URLTemplate: "/deployments/{deployment-id}/chat/completions?api-version={v}"}}}
	echo := API{Names: []string{"echo-api", "echo"}, Path: "echo", Operations: []Operation{{Name: "get", Method: "GET", URLTemplate: "/resource"}}}
	rest := API{Names: []string{"orders"}, Path: "orders", Spec: "apis/orders/specification.yaml",
		Operations: []Operation{{Method: "GET", URLTemplate: "/orders", MediaTypes: []string{"application/json"}}, {Method: "POST", URLTemplate: "/orders", MediaTypes: []string{"application/json", "application/xml"}}}}
	tests := []struct {
		name     string
		api      API
		opts     Options
		want     Verdict
		evidence string // a phrase of some evidence
	}{
		{"an LLM route streams", chat, Options{}, Yes, "/deployments/{deployment-id}/chat/completions?api-version={v} is a streaming LLM or agent route (…/chat/completions)"},
		{"an echo API is unknown", echo, Options{}, Unknown, "--stream-api"},
		{"a spec with JSON responses only does not stream", rest, Options{}, No, "apis/orders/specification.yaml declares the responses of its 2 operations as application/json, application/xml only"},
		{"a spec that declares text/event-stream streams", API{Spec: "s.json", Operations: []Operation{{Method: "GET", URLTemplate: "/feed", MediaTypes: []string{"application/json", "text/event-stream; charset=utf-8"}}}}, Options{}, Yes, "s.json declares a text/event-stream response for GET /feed"},
		{"an operation without media types leaves it open", API{Spec: "s.json", Operations: []Operation{{Method: "GET", URLTemplate: "/a", MediaTypes: []string{"application/json"}}, {Method: "GET", URLTemplate: "/b"}}}, Options{}, Unknown, ""},
		{"an Azure OpenAI backend streams", API{Backends: []Backend{{URL: "https://contoso.openai.azure.com/openai", Where: "service_url"}}}, Options{}, Yes, "contoso.openai.azure.com/openai (service_url) is an Azure OpenAI"},
		{"a Foundry backend streams", API{Backends: []Backend{{URL: "https://x.services.ai.azure.com", Where: "b"}}}, Options{}, Yes, "Foundry"},
		{"a look-alike host does not", API{Backends: []Backend{{URL: "https://openai.azure.com.evil.example/", Where: "b"}}}, Options{}, Unknown, ""},
		{"an AI account in the plan streams", API{AIAccounts: []string{"azurerm_cognitive_account.aoai"}}, Options{}, Yes, "the account azurerm_cognitive_account.aoai"},
		{"an MCP server API streams", API{MCP: "type mcp"}, Options{}, Yes, "MCP server API (type mcp)"},
		{"a policy signal streams", API{Signals: []string{"llm-token-limit at p.xml:3:5"}}, Options{}, Yes, "llm-token-limit at p.xml:3:5"},
		{"soap does not stream", API{Type: "soap"}, Options{}, No, "its type is soap"},
		{"--streaming all", rest, Options{Mode: All}, Yes, "--streaming all"},
		{"--stream-api by name, any case", rest, Options{Named: []string{"Orders"}}, Yes, "named by --stream-api Orders"},
		{"--stream-api by path with slashes", echo, Options{Named: []string{"/echo/"}}, Yes, "named by --stream-api /echo/"},
		{"--stream-api names another API", echo, Options{Named: []string{"chat"}}, Unknown, ""},
		{"the marker wins over the spec", API{Spec: rest.Spec, Operations: rest.Operations, Marker: &Marker{Streams: true, Where: "p.xml:1:1"}}, Options{Named: nil}, Yes, "<!-- sseready:streams --> at p.xml:1:1"},
		{"no-stream marker wins over an LLM route", API{Path: "openai/v1/chat/completions", Marker: &Marker{Streams: false, Where: "p.xml:2:3"}}, Options{}, No, "<!-- sseready:no-stream --> at p.xml:2:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.api, tt.opts)
			if d.Verdict != tt.want {
				t.Fatalf("verdict %s, want %s (evidence %q)", d.Verdict, tt.want, d.Evidence)
			}
			if len(d.Evidence) == 0 {
				t.Fatal("no evidence")
			}
			if joined := strings.Join(d.Evidence, "\n"); !strings.Contains(joined, tt.evidence) {
				t.Errorf("evidence %q does not say %q", d.Evidence, tt.evidence)
			}
		})
	}
}

func TestAdjust(t *testing.T) {
	buffers := rules.MustLookup(rules.ForwardRequestBuffers).Finding(3, 5, "forward-request", "forward-request buffers")
	syntax := rules.MustLookup(rules.ExpressionSyntax).Finding(1, 1, "set-variable", "bad C#")
	fragment := rules.MustLookup(rules.UnresolvedFragment).Finding(2, 2, "include-fragment", "unknown fragment")
	accepted := buffers
	accepted.Severity = rules.Accepted
	yes, unknown := Decision{Verdict: Yes}, Decision{Verdict: Unknown}
	no := Decision{Verdict: No, Evidence: []string{"spec says JSON"}}
	tests := []struct {
		name     string
		d        Decision
		f        rules.Finding
		severity rules.Severity
		message  string
	}{
		{"yes keeps an error", yes, buffers, rules.Error, "forward-request buffers"},
		{"unknown makes an error a warning", unknown, buffers, rules.Warning, "if this API streams: forward-request buffers"},
		{"unknown keeps a warning", unknown, fragment, rules.Warning, "unknown fragment"},
		{"no makes an error info", no, buffers, rules.Info, "forward-request buffers (this API does not stream: spec says JSON)"},
		{"no makes a warning info", no, fragment, rules.Info, "unknown fragment (this API does not stream"},
		{"bad C# stays an error", no, syntax, rules.Error, "bad C#"},
		{"bad C# stays an error when unknown", unknown, syntax, rules.Error, "bad C#"},
		{"accepted stays accepted", no, accepted, rules.Accepted, "forward-request buffers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.d.Adjust(tt.f)
			if got.Severity != tt.severity || !strings.HasPrefix(got.Message, tt.message) {
				t.Errorf("got %s %q, want %s %q...", got.Severity, got.Message, tt.severity, tt.message)
			}
			if got.Rule != tt.f.Rule || got.Line != tt.f.Line {
				t.Errorf("Adjust changed what the finding is about: %+v", got)
			}
		})
	}
}

func TestStreamingRoute(t *testing.T) {
	for tmpl, want := range map[string]bool{
		"/openai/deployments/{deployment-id}/chat/completions": true,
		"/chat/completions?api-version=2024-10-21":             true,
		"/v1/completions":           true,
		"/openai/v1/responses/":     true,
		"/v1/messages":              true,
		"/mcp":                      true,
		"/weather/sse":              true,
		"/v1/messages/count_tokens": false,
		"/orders":                   false,
		"/responses/{id}":           false,
		"/embeddings":               false,
		"/completions-report":       false,
	} {
		if _, got := StreamingRoute(tmpl); got != want {
			t.Errorf("StreamingRoute(%q) = %v, want %v", tmpl, got, want)
		}
	}
}

func TestAIHost(t *testing.T) {
	for u, want := range map[string]bool{
		"https://contoso.openai.azure.com/openai":    true,
		"contoso.cognitiveservices.azure.com":        true,
		"https://proj.services.ai.azure.com/models":  true,
		"https://CONTOSO.OpenAI.Azure.com.":          true,
		"https://openai.azure.com":                   false,
		"https://contoso.openai.azure.com.evil.test": false,
		"https://api.openai.com/v1":                  false,
		"https://backend.contoso.com":                false,
	} {
		if got := AIHost(u); got != want {
			t.Errorf("AIHost(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestReadMarker(t *testing.T) {
	tests := []struct {
		src   string
		want  string // "" for none
		where string
	}{
		{"<!-- sseready:streams -->\n<policies><inbound /></policies>", "streams", "p.xml:1:1"},
		{"<policies>\n  <!-- sseready:no-stream the health API answers JSON -->\n  <inbound /></policies>", "no-stream", "p.xml:2:3"},
		{"<policies><!-- sseready:accept SSE103 x --><!-- sseready:no-stream --><inbound /></policies>", "no-stream", ""},
		{"<policies><inbound /><!-- sseready:streams --></policies>", "", ""},
		{"<policies><inbound><!-- sseready:streams --></inbound></policies>", "", ""},
		{"<!-- sseready:streamsx --><policies />", "", ""},
	}
	for _, tt := range tests {
		doc, err := apimpolicy.Parse([]byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		m := ReadMarker(doc, "p.xml")
		got := ""
		if m != nil {
			got = map[bool]string{true: "streams", false: "no-stream"}[m.Streams]
		}
		if got != tt.want {
			t.Errorf("%s: marker %q, want %q", tt.src, got, tt.want)
		}
		if tt.where != "" && m != nil && m.Where != tt.where {
			t.Errorf("%s: at %s, want %s", tt.src, m.Where, tt.where)
		}
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": Auto, "auto": Auto, "all": All} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseMode("some"); err == nil || !strings.Contains(err.Error(), "use auto") {
		t.Errorf("ParseMode(some) error %v", err)
	}
}
