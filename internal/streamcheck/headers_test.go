package streamcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A header belongs to one attribute: given twice, in two attributes or
// twice in one whatever its case, it is an error naming both places.
func TestParseHeaderConflicts(t *testing.T) {
	tests := []struct {
		raw  Raw
		want []string // the errors, in order
	}{
		{raw: Raw{Header: map[string]string{"X-Trace": "t"}, HeaderWO: map[string]string{"api-key": "k"}, HeaderFromEnv: map[string]string{"Ocp-Apim-Subscription-Key": "SUB_KEY"}}},
		{raw: Raw{Header: map[string]string{"Api-Key": "k"}, HeaderFromEnv: map[string]string{"api-key": "AZURE_OPENAI_KEY"}},
			want: []string{`headers_from_env: the header "api-key" is also given as headers["Api-Key"]: give each header once`}},
		{raw: Raw{Header: map[string]string{"api-key": "k"}, HeaderWO: map[string]string{"api-key": "k"}},
			want: []string{`headers_wo: the header "api-key" is also given as headers["api-key"]`}},
		{raw: Raw{HeaderWO: map[string]string{"API-KEY": "k"}, HeaderFromEnv: map[string]string{"api-key": "AZURE_OPENAI_KEY"}},
			want: []string{`headers_from_env: the header "api-key" is also given as headers_wo["API-KEY"]`}},
		{raw: Raw{Header: map[string]string{"accept": "a", "Accept": "b"}},
			want: []string{`headers: the header "accept" is also given as headers["Accept"]`}},
		// A key where its variable's name belongs is refused, and not echoed.
		{raw: Raw{HeaderFromEnv: map[string]string{"api-key": "0f3c9e-secret value"}},
			want: []string{`headers_from_env: the value for the header "api-key" is not an environment variable name`}},
		{raw: Raw{HeaderFromEnv: map[string]string{"api-key": ""}},
			want: []string{`headers_from_env: the value for the header "api-key" is not an environment variable name`}},
	}
	for _, tt := range tests {
		tt.raw.URL = "https://apim.example/chat"
		_, errs := Parse(tt.raw)
		if len(errs) != len(tt.want) {
			t.Errorf("%+v: errors %v, want %q", tt.raw, errs, tt.want)
			continue
		}
		for i, e := range errs {
			if !strings.HasPrefix(e.Error(), tt.want[i]) {
				t.Errorf("%+v: error %q, want %q", tt.raw, e, tt.want[i])
			}
			if strings.Contains(e.Error(), "secret value") {
				t.Errorf("the error echoes the value: %q", e)
			}
		}
	}
}

// The values of headers_from_env are read by WithEnv, from the process's
// environment when it is called, and sent; an unset or empty variable is an
// error naming the attribute, the header and the variable, and no request
// is sent without it.
func TestWithEnv(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Api-Key")+"|"+r.Header.Get("X-Trace"))
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: one\n\n"))
	}))
	defer srv.Close()
	spec, errs := Parse(Raw{URL: srv.URL, Header: map[string]string{"X-Trace": "t1"}, HeaderFromEnv: map[string]string{"api-key": "SSEREADY_STREAMCHECK_KEY"}, Duration: "2s"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if spec.Request.Header.Get("Api-Key") != "" {
		t.Fatal("Parse read the environment: the value must be read where the stream is")
	}

	_, errs = spec.WithEnv()
	want := `headers_from_env: the header "api-key": the environment variable SSEREADY_STREAMCHECK_KEY is not set or empty where terraform runs the provider: set it in the environment of terraform plan and apply (export SSEREADY_STREAMCHECK_KEY=...`
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) {
		t.Fatalf("unset: %v, want %q", errs, want)
	}
	t.Setenv("SSEREADY_STREAMCHECK_KEY", "")
	if _, errs = spec.WithEnv(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "not set or empty") {
		t.Fatalf("empty: %v", errs)
	}

	t.Setenv("SSEREADY_STREAMCHECK_KEY", "k-42")
	ready, errs := spec.WithEnv()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if spec.Request.Header.Get("Api-Key") != "" {
		t.Error("WithEnv changed the spec it was called on")
	}
	if res := Run(context.Background(), ready); !res.OK() {
		t.Fatal(res.Problems)
	}
	if len(got) != 1 || got[0] != "k-42|t1" {
		t.Errorf("the endpoint got %q, want the key from the environment and the other header", got)
	}
}

// Run refuses a check whose headers from the environment were not read:
// the request would go without its key.
func TestRunNeedsWithEnv(t *testing.T) {
	spec, errs := Parse(Raw{URL: "http://127.0.0.1:1/", HeaderFromEnv: map[string]string{"api-key": "SSEREADY_STREAMCHECK_KEY"}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	defer func() {
		if recover() == nil {
			t.Error("Run sent a request without the header from the environment")
		}
	}()
	Run(context.Background(), spec)
}
