package provider

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// The keys of the headers_from_env tests: envKeyVar holds envSecret, the
// value the endpoint must get and no plan, state or log may hold.
const (
	envKeyVar  = "SSEREADY_ACC_OPENAI_KEY"
	envSecret  = "sk-env-4b2c-never-stored"
	envSecret2 = "sk-env-9e71-rotated"
	unsetVar   = "SSEREADY_ACC_UNSET_KEY"
)

// sentHeaders is an SSE endpoint on loopback (four events) that records
// the headers and the query of every request it gets.
type sentHeaders struct {
	mu      sync.Mutex
	got     []http.Header
	queries []string
}

func (s *sentHeaders) endpoint(t *testing.T) string {
	t.Helper()
	o, err := origin.New(origin.Config{Events: 4, Interval: dialectInterval()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.got = append(s.got, r.Header.Clone())
		s.queries = append(s.queries, r.URL.RawQuery)
		s.mu.Unlock()
		o.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// values lists the header's value in each request, in order.
func (s *sentHeaders) values(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{}
	for _, h := range s.got {
		out = append(out, h.Get(name))
	}
	return out
}

// query lists the raw query of each request, in order.
func (s *sentHeaders) query() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.queries...)
}

// allEqual reports whether vs holds want, and nothing else, at least once.
func allEqual(vs []string, want string) bool {
	for _, v := range vs {
		if v != want {
			return false
		}
	}
	return len(vs) > 0
}

// traceLogs has terraform (TF_ACC_LOG, TF_ACC_LOG_PATH) and the provider
// under test (its tflog sink, TF_LOG and TF_LOG_PATH) log at TRACE into one
// file for the rest of the test. The function it returns fails the test if
// a secret is in that file, or if the file lacks the lines of either:
// then there was nothing to look in.
func traceLogs(t *testing.T) func(secrets ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", path)
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", path)
	return func(secrets ...string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("no trace log: %v", err)
		}
		log := string(b)
		for _, marker := range []string{
			"Terraform version:",       // terraform's own
			"Calling provider defined", // the provider's, through the framework
			"tf_proto_version=6",       // the provider's gRPC calls
		} {
			if !strings.Contains(log, marker) {
				t.Errorf("the trace log (%d bytes) has no %q: it does not hold what was to be searched", len(b), marker)
			}
		}
		for i, s := range secrets {
			if n := strings.Count(log, s); n > 0 {
				t.Errorf("the trace log holds secret #%d (of %d) %d times", i+1, len(secrets), n)
			}
		}
	}
}

// accTestEcho is accTest with hashicorp's echo provider beside sseready:
// a test gets an ephemeral resource's results into the state through it
// (provider "echo" { data = ... }, resource "echo" "x" {}).
func accTestEcho(t *testing.T, tc resource.TestCase) {
	t.Helper()
	tc.ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
		"sseready": testAccProtoV6ProviderFactories["sseready"],
		"echo":     echoprovider.NewProviderServer(),
	}
	for i := range tc.Steps {
		tc.Steps[i].Config = `terraform {
  required_providers {
    sseready = { source = "sseready/sseready" }
    echo     = { source = "sseready/echo" }
  }
}
` + tc.Steps[i].Config
	}
	resource.Test(t, tc)
}
