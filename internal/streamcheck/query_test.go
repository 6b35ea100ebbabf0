package streamcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// query_from_env names a parameter and a variable each, and no parameter
// the URL has too; a key where its variable's name belongs is not echoed.
func TestParseQueryEnv(t *testing.T) {
	tests := []struct {
		url   string
		query map[string]string
		want  []string // the errors, in order
	}{
		{url: "https://apim.example/chat?api-version=1", query: map[string]string{"subscription-key": "APIM_KEY"}},
		{url: "https://apim.example/chat?subscription-key=k", query: map[string]string{"subscription-key": "APIM_KEY"},
			want: []string{`query_from_env: the query parameter "subscription-key" is also in url: give it once`}},
		{url: "https://apim.example/chat", query: map[string]string{"subscription-key": "0f3c9e secret value"},
			want: []string{`query_from_env: the value for the query parameter "subscription-key" is not an environment variable name`}},
		{url: "https://apim.example/chat", query: map[string]string{"": "APIM_KEY"},
			want: []string{`query_from_env: a query parameter has no name`}},
	}
	for _, tt := range tests {
		_, errs := Parse(Raw{URL: tt.url, QueryFromEnv: tt.query})
		if len(errs) != len(tt.want) {
			t.Errorf("%v: errors %v, want %q", tt.query, errs, tt.want)
			continue
		}
		for i, e := range errs {
			if !strings.HasPrefix(e.Error(), tt.want[i]) {
				t.Errorf("%v: error %q, want %q", tt.query, e, tt.want[i])
			}
			if strings.Contains(e.Error(), "secret value") {
				t.Errorf("the error echoes the value: %q", e)
			}
		}
	}
}

// WithEnv reads query_from_env's variables where the stream is read; the
// endpoint gets the parameter after the URL's own, and a refusal's
// problems do not repeat the key.
func TestWithEnvQuery(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RawQuery)
		if r.URL.Query().Get("subscription-key") != "k-42" {
			http.Error(w, "Access denied due to invalid subscription key.", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: one\n\n"))
	}))
	defer srv.Close()
	spec, errs := Parse(Raw{URL: srv.URL + "/chat?api-version=1", QueryFromEnv: map[string]string{"subscription-key": "SSEREADY_STREAMCHECK_QUERY_KEY"}, Duration: "2s"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	_, errs = spec.WithEnv()
	want := `query_from_env: the query parameter "subscription-key": the environment variable SSEREADY_STREAMCHECK_QUERY_KEY is not set or empty where terraform runs the provider`
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) {
		t.Fatalf("unset: %v, want %q", errs, want)
	}

	for _, tt := range []struct {
		key string
		ok  bool
	}{{"k-42", true}, {"wrong-key-99", false}} {
		t.Setenv("SSEREADY_STREAMCHECK_QUERY_KEY", tt.key)
		ready, errs := spec.WithEnv()
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if spec.Request.Query != nil {
			t.Error("WithEnv changed the spec it was called on")
		}
		res := Run(context.Background(), ready)
		if res.OK() != tt.ok {
			t.Errorf("key %s: ok %v, problems %v", tt.key, res.OK(), res.Problems)
		}
		for _, p := range res.Problems {
			if strings.Contains(p.Message, tt.key) {
				t.Errorf("a problem repeats the key: %q", p.Message)
			}
		}
	}
	if len(got) != 2 || got[0] != "api-version=1&subscription-key=k-42" {
		t.Errorf("the endpoint got %q", got)
	}
}

func TestURLWarnings(t *testing.T) {
	got := URLWarnings("https://apim.example/chat?api-version=1&subscription-key=abc")
	if len(got) != 1 || !strings.HasPrefix(got[0].Error(), `url: the query parameter "subscription-key" looks like a key: its value is stored in the plan and the state. Give it in query_from_env instead`) {
		t.Errorf("got %v", got)
	}
	if strings.Contains(got[0].Error(), "abc") {
		t.Errorf("the warning repeats the key: %q", got[0])
	}
	if got := URLWarnings("https://apim.example/chat?api-version=1"); len(got) != 0 {
		t.Errorf("got %v", got)
	}
}
