package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The probe sends what an LLM API client sends: a POST with the JSON body
// asking for a stream, and the key from the environment, which appears in
// no output.
func TestProbeSendsTheRequest(t *testing.T) {
	const secret = "k-3f9a-never-printed"
	t.Setenv("SSEREADY_TEST_KEY", secret)
	var mu sync.Mutex
	var got struct {
		method, body, contentType, key, accept, extra string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got.method, got.body, got.contentType = r.Method, string(b), r.Header.Get("Content-Type")
		got.key, got.accept, got.extra = r.Header.Get("Api-Key"), r.Header.Get("Accept"), r.Header.Get("X-Trace")
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: {\"choices\":[]}\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()
	body := `{"stream": true, "messages": [{"role": "user", "content": "hi"}]}`
	code, out, errOut := runCLI(t, "", "probe", "--data", body, "--header-env", "api-key=SSEREADY_TEST_KEY", "--header", "X-Trace: t1", "--format", "json", srv.URL)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	mu.Lock()
	if got.method != "POST" || got.body != body || got.contentType != "application/json" || got.key != secret ||
		got.accept != "text/event-stream" || got.extra != "t1" {
		t.Errorf("the server got %+v", got)
	}
	mu.Unlock()
	if strings.Contains(out+errOut, secret) {
		t.Errorf("the key is in the output:\n%s%s", out, errOut)
	}

	// The body from standard input, an explicit method.
	code, out, errOut = runCLI(t, body, "probe", "--method", "put", "--data-file", "-", srv.URL)
	mu.Lock()
	if code != 0 || got.method != "PUT" || got.body != body {
		t.Errorf("exit %d, server got %+v\n%s%s", code, got, out, errOut)
	}
	mu.Unlock()
}

func TestProbeRequestFlagErrors(t *testing.T) {
	t.Setenv("SSEREADY_EMPTY", "")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", "{}", "--data-file", "x.json"}, "give the body once: --data or --data-file, not both"},
		{[]string{"--data-file", "/nonexistent/body.json"}, "--data-file: open /nonexistent/body.json"},
		{[]string{"--method", "GE T"}, `--method "GE T" is not an HTTP method`},
		{[]string{"--header", "novalue"}, `--header "novalue" is not K:V`},
		{[]string{"--header-env", "api-key"}, `--header-env "api-key" is not NAME=ENVVAR`},
		{[]string{"--header-env", "api-key=SSEREADY_UNSET_VARIABLE"}, "--header-env api-key: the environment variable SSEREADY_UNSET_VARIABLE is not set or empty"},
		{[]string{"--header-env", "api-key=SSEREADY_EMPTY"}, "the environment variable SSEREADY_EMPTY is not set or empty"},
	} {
		code, _, errOut := runCLI(t, "", append(append([]string{"probe"}, tt.args...), "http://127.0.0.1:1/")...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}
