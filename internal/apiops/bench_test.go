package apiops

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// The generated tree: a global policy, 5 fragments, 4 products, 70 APIs
// with 5 operation policies and a diagnostic each: 1 + 5 + 4 + 70*7 = 500
// files, every one read and checked.
const (
	bigFragments  = 5
	bigProducts   = 4
	bigAPIs       = 70
	bigOperations = 5
)

// bigAPIPolicy is an API policy an LLM gateway ships: a fragment, a
// streaming-aware branch, rate limits, header rewrites.
const bigAPIPolicy = `<policies>
    <inbound>
        <base />
        <include-fragment fragment-id="auth-%d" />
        <set-variable name="isStream" value="@(context.Request.Body.As<JObject>(preserveContent: true)["stream"]?.Value<bool>() ?? false)" />
        <choose>
            <when condition="@(!context.Variables.GetValueOrDefault<bool>("isStream"))">
                <cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />
            </when>
        </choose>
        <rate-limit-by-key calls="60" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
        <set-header name="api-key" exists-action="override"><value>{{openai-key}}</value></set-header>
    </inbound>
    <backend>
        <forward-request timeout="120" buffer-response="false" />
    </backend>
    <outbound>
        <base />
        <set-header name="X-Accel-Buffering" exists-action="override"><value>no</value></set-header>
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>
`

// bigTree writes the 500-file tree under dir. Every tenth API's operation
// "batch" validates content, so the check has findings to place.
func bigTree(dir string) error {
	files := map[string]string{"policy.xml": globalStreams}
	for i := range bigFragments {
		files[fmt.Sprintf("policy fragments/auth-%d/policy.xml", i)] = `<fragment>
    <validate-jwt header-name="Authorization" failed-validation-httpcode="401" require-scheme="Bearer">
        <openid-config url="https://login.microsoftonline.com/{{tenant}}/v2.0/.well-known/openid-configuration" />
    </validate-jwt>
</fragment>
`
	}
	for p := range bigProducts {
		files[fmt.Sprintf("products/p%d/policy.xml", p)] = inheritsAll
	}
	for a := range bigAPIs {
		api := fmt.Sprintf("apis/api%02d", a)
		files[api+"/policy.xml"] = fmt.Sprintf(bigAPIPolicy, a%bigFragments)
		files[api+"/diagnostics/applicationinsights/diagnosticInformation.json"] = `{"properties": {"loggerId": "/loggers/ai", "frontend": {"request": {"body": {"bytes": 0}}, "response": {"body": {"bytes": 0}}}, "backend": {"request": {"body": {"bytes": 0}}, "response": {"body": {"bytes": 0}}}}}`
		for o := range bigOperations {
			body := inheritsAll
			if a%10 == 0 && o == 0 {
				body = validates
			}
			files[fmt.Sprintf("%s/operations/op%d/policy.xml", api, o)] = body
		}
		// Each API is in one product: a folder under the product, as the
		// extractor writes it.
		if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("products/p%d/apis/api%02d", a%bigProducts, a)), 0o755); err != nil {
			return err
		}
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestBigTree checks the generated tree as the benchmark does, and logs
// the time: 500 files, a path per operation, the findings where the
// generator put them.
func TestBigTree(t *testing.T) {
	dir := t.TempDir()
	if err := bigTree(dir); err != nil {
		t.Fatal(err)
	}
	if n := countFiles(t, dir); n != 500 {
		t.Fatalf("%d files, want 500", n)
	}
	start := time.Now()
	tree, errs := Load(dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := tree.CheckStreams(apimcheck.Options{}, streamapi.Options{})
	t.Logf("500-file tree: loaded and checked in %v (%d paths)", time.Since(start), r.Paths)
	for _, a := range r.APIs {
		if a.Verdict != streamapi.Yes {
			t.Fatalf("%s: %s %q: its policy reads the stream flag", a.Name, a.Verdict, a.Evidence)
		}
	}
	if want := bigAPIs * bigOperations; r.Paths != want {
		t.Errorf("%d paths, want %d (one per operation, each API in one product)", r.Paths, want)
	}
	var errors []string
	for _, f := range r.Findings {
		if f.Severity == "error" {
			errors = append(errors, fmt.Sprintf("%s:%s", filepath.ToSlash(must(filepath.Rel(dir, f.File))), f.Rule))
		}
	}
	if len(errors) != bigAPIs/10 {
		t.Fatalf("errors %q, want SSE110 in each of the %d validating operations", errors, bigAPIs/10)
	}
	for _, e := range errors {
		if !strings.HasSuffix(e, "/operations/op0/policy.xml:SSE110") {
			t.Errorf("unexpected error %s", e)
		}
	}
}

func must(s string, err error) string {
	if err != nil {
		return err.Error()
	}
	return s
}

func countFiles(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkLintTree500 times Load + CheckStreams (what lint DIR runs) of
// the 500-file tree against
// what a user would run instead to catch broken files: read every file
// and parse it with encoding/xml (or encoding/json), in the same
// iteration. The ratio is sseready's time over that baseline's.
func BenchmarkLintTree500(b *testing.B) {
	dir := b.TempDir()
	if err := bigTree(dir); err != nil {
		b.Fatal(err)
	}
	var ours, base time.Duration
	for b.Loop() {
		start := time.Now()
		tree, errs := Load(dir)
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		if r := tree.CheckStreams(apimcheck.Options{}, streamapi.Options{}); r.Paths != bigAPIs*bigOperations {
			b.Fatalf("%d paths", r.Paths)
		}
		mid := time.Now()
		if err := parseAll(dir); err != nil {
			b.Fatal(err)
		}
		ours += mid.Sub(start)
		base += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Microseconds())/n/1000, "lint-ms/op")
	b.ReportMetric(float64(base.Microseconds())/n/1000, "encoding-xml-ms/op")
	b.ReportMetric(ours.Seconds()/base.Seconds(), "ratio")
}

// parseAll reads every file under dir and runs encoding/xml's tokenizer
// over it (not strict: policy expressions hold raw '<' and '&&').
func parseAll(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if strings.HasSuffix(path, ".json") {
			_, err = io.Copy(io.Discard, f)
			return err
		}
		dec := xml.NewDecoder(f)
		dec.Strict = false
		for {
			if _, err := dec.Token(); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return nil // a raw '<' in an expression: the baseline stops there
			}
		}
	})
}
