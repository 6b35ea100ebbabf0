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
		{[]string{"--query-env", "subscription-key"}, `--query-env "subscription-key" is not NAME=ENVVAR`},
		{[]string{"--query-env", "subscription-key=SSEREADY_UNSET_VARIABLE"}, "--query-env subscription-key: the environment variable SSEREADY_UNSET_VARIABLE is not set or empty"},
	} {
		code, _, errOut := runCLI(t, "", append(append([]string{"probe"}, tt.args...), "http://127.0.0.1:1/")...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}

// --query-env adds the key after the URL's own query, which goes as
// given; neither the key nor one in the URL appears in any output, even
// when the request fails; a parameter the URL has too is refused.
func TestProbeQueryEnv(t *testing.T) {
	const secret = "k-7c1d-never-printed"
	t.Setenv("SSEREADY_TEST_QUERY_KEY", secret)
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.RawQuery)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: {\"choices\":[]}\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()
	key := []string{"--query-env", "subscription-key=SSEREADY_TEST_QUERY_KEY"}
	code, out, errOut := runCLI(t, "", append([]string{"probe", "--format", "json"}, append(key, srv.URL+"/chat?b=2&a=1")...)...)
	mu.Lock()
	if code != 0 || len(got) != 1 || got[0] != "b=2&a=1&subscription-key="+secret {
		t.Errorf("exit %d, the server got %q\n%s%s", code, got, out, errOut)
	}
	mu.Unlock()
	if strings.Contains(out+errOut, secret) {
		t.Errorf("the key is in the output:\n%s%s", out, errOut)
	}
	code, out, errOut = runCLI(t, "", append([]string{"load", "--streams", "2", "--duration", "5s"}, append(key, srv.URL+"/chat?b=2&a=1")...)...)
	mu.Lock()
	if code != 0 || len(got) != 3 || got[1] != got[0] || got[2] != got[0] {
		t.Errorf("load: exit %d, the server got %q\n%s%s", code, got, out, errOut)
	}
	mu.Unlock()
	if strings.Contains(out+errOut, secret) {
		t.Errorf("load: the key is in the output:\n%s%s", out, errOut)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	for _, cmd := range [][]string{{"probe"}, {"probe", "--format", "json"}} {
		code, out, errOut = runCLI(t, "", append(cmd, append(key, closedURL+"/chat?api-key=in-the-url-55")...)...)
		if code == 0 || !strings.Contains(out, "api-key=REDACTED&subscription-key=REDACTED") {
			t.Errorf("%v: exit %d, want the URL redacted in the error:\n%s%s", cmd, code, out, errOut)
		}
		if strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, "in-the-url-55") {
			t.Errorf("%v: a key is in the output:\n%s%s", cmd, out, errOut)
		}
	}

	for _, cmd := range []string{"probe", "load"} {
		code, _, errOut = runCLI(t, "", append(append([]string{cmd}, key...), srv.URL+"/chat?subscription-key=old")...)
		if code != 2 || !strings.Contains(errOut, "--query-env subscription-key: the URL has this query parameter too: give it once") {
			t.Errorf("%s, given twice: exit %d, %q", cmd, code, errOut)
		}
	}
}
