package probe

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

func TestRedactURL(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		also     url.Values
		want     string
	}{
		{"API Management's subscription key", "https://apim.azure-api.net/chat?api-version=2024-10-21&subscription-key=abc123",
			nil, "https://apim.azure-api.net/chat?api-version=2024-10-21&subscription-key=" + Redacted},
		{"names that say key, token, sig, code", "https://h/p?api-key=1&access_token=2&sv=2022&sig=3%2B4&code=5&x=6",
			nil, "https://h/p?api-key=" + Redacted + "&access_token=" + Redacted + "&sv=2022&sig=" + Redacted + "&code=" + Redacted + "&x=6"},
		{"case and escaping of the name", "https://h/p?Subscription%2DKey=abc", nil, "https://h/p?Subscription%2DKey=" + Redacted},
		{"a parameter given from the environment, whatever its name", "https://h/p?tenant=abc&x=1",
			url.Values{"tenant": {"abc"}}, "https://h/p?tenant=" + Redacted + "&x=1"},
		{"the rest of the query keeps its order and bytes", "https://h/p?b=2&a=1%20&key=k&a=0",
			nil, "https://h/p?b=2&a=1%20&key=" + Redacted + "&a=0"},
		{"a userinfo password", "https://user:pass@h/p", nil, "https://user:" + Redacted + "@h/p"},
		{"a flag without a value stays", "https://h/p?debug&key", nil, "https://h/p?debug&key"},
		{"nothing secret", "https://h/p?api-version=1", nil, "https://h/p?api-version=1"},
		{"not a URL", "http://[::1", nil, "http://[::1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURL(tt.in, tt.also); got != tt.want {
				t.Errorf("RedactURL(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKeyQueryParams(t *testing.T) {
	got := KeyQueryParams("https://h/p?api-version=1&subscription-key=a&sig=b&subscription-key=c&country_code=d&author=e&code=f&access_token=g&keyword=h&Client_Secret=i")
	if strings.Join(got, ",") != "subscription-key,sig,code,access_token,Client_Secret" {
		t.Errorf("got %q", got)
	}
	if got := KeyQueryParams("https://h/p?api-version=1"); len(got) != 0 {
		t.Errorf("got %q", got)
	}
}

// A request that fails says where it went, with the keys in its URL and
// those added from the environment redacted, for this report ends up in
// CI logs and in the provider's state.
func TestFailedRequestHidesKeys(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	secrets := []string{"urlsecret123", "envsecret456"}
	opts := Options{Duration: 5 * time.Second, Request: Request{Query: url.Values{"tenant": {"envsecret456"}}}}
	for _, tt := range []struct {
		name string
		opts Options
	}{
		{"a stream", opts},
		{"an MCP call", Options{Duration: opts.Duration, Request: opts.Request, MCP: &MCPCall{Tool: "t", Transport: StreamableHTTP}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := Run(context.Background(), closedURL+"/chat?api-version=1&subscription-key=urlsecret123", tt.opts)
			if rep.Outcome != Error || !strings.Contains(rep.Error, "api-version=1&subscription-key="+Redacted+"&tenant="+Redacted) {
				t.Fatalf("outcome %q, error %q", rep.Outcome, rep.Error)
			}
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if strings.Contains(string(b), s) {
					t.Errorf("the report holds %q: %s", s, b)
				}
			}
		})
	}
}

// keyed is a gateway's subscription check in front of h: a request
// without the key in the query is refused with 401, as API Management
// refuses it; it records each request's raw query.
type keyed struct {
	h       http.Handler
	param   string
	key     string
	mu      sync.Mutex
	queries []string
}

func (k *keyed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	k.queries = append(k.queries, r.URL.RawQuery)
	k.mu.Unlock()
	if r.URL.Query().Get(k.param) != k.key {
		http.Error(w, `{"statusCode": 401, "message": "Access denied due to missing subscription key."}`, http.StatusUnauthorized)
		return
	}
	k.h.ServeHTTP(w, r)
}

// Query's parameters go after the URL's own, which are sent as given, on
// every request a read makes (an MCP session's included).
func TestQueryIsSent(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  origin.Config
		path string
		mcp  *MCPCall
	}{
		{"a stream", origin.Config{Events: 2, Interval: 10 * time.Millisecond}, "/chat", nil},
		{"an MCP call, Streamable HTTP", origin.Config{MCP: true, Events: 2, Interval: 10 * time.Millisecond}, "/mcp",
			&MCPCall{Tool: origin.MCPTool, Args: json.RawMessage(`{"steps": 2}`), Transport: StreamableHTTP}},
		{"an MCP call, HTTP+SSE", origin.Config{MCP: true, Events: 2, Interval: 10 * time.Millisecond}, origin.MCPSSEPath,
			&MCPCall{Tool: origin.MCPTool, Args: json.RawMessage(`{"steps": 2}`), Transport: HTTPSSE}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := origin.New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			k := &keyed{h: h, param: "subscription-key", key: "k/1+"}
			srv := serve(t, k)
			rep := Run(context.Background(), srv+tt.path+"?b=2&a=1%20", Options{Duration: 10 * time.Second, MCP: tt.mcp,
				Request: Request{Query: url.Values{"subscription-key": {"k/1+"}}}})
			if rep.Outcome != Streamed {
				t.Fatalf("outcome %q: %s", rep.Outcome, rep.Error)
			}
			k.mu.Lock()
			defer k.mu.Unlock()
			for _, q := range k.queries {
				if !strings.HasSuffix(q, "subscription-key=k%2F1%2B") {
					t.Errorf("query %q: the key is not after the URL's own", q)
				}
			}
			if first := k.queries[0]; first != "b=2&a=1%20&subscription-key=k%2F1%2B" {
				t.Errorf("first query %q: the URL's own is not as given", first)
			}
		})
	}
}
