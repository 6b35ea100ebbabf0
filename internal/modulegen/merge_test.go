package modulegen_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/modulegen"
)

// Without a source, the flags go over Default's values, and the path
// follows the API name unless given; nothing is assumed.
func TestMergeWithoutSource(t *testing.T) {
	s := modulegen.Merge(nil, modulegen.Flags{APIName: ptr("streams"), SKU: ptr("Premium_1"), Heartbeat: ptr("")})
	if s.APIName != "streams" || s.Path != "streams" || s.APIM.SKU != "Premium_1" || s.Heartbeat != "" || s.APIM.Name != modulegen.Default().APIM.Name {
		t.Errorf("spec %+v", s)
	}
	if s.Source != "its command-line flags" || len(s.Assumptions()) != 0 {
		t.Errorf("source %q, assumptions %q", s.Source, s.Assumptions())
	}
	if s := modulegen.Merge(nil, modulegen.Flags{APIName: ptr("streams"), Path: ptr("v1/streams")}); s.Path != "v1/streams" {
		t.Errorf("--path v1/streams: path %q", s.Path)
	}
}

// With a source, a flag given replaces the source's value (the source's
// path stays unless --path is given), takes away what was assumed in its
// place, and is named in Source; the source is left as it was.
func TestMergeFlagsOverTheSource(t *testing.T) {
	src, err := modulegen.FromAPIOps(filepath.Join("testdata", "apiops"), "chat")
	if err != nil {
		t.Fatal(err)
	}
	before := len(src.Assumed)
	ops := map[string]modulegen.Operation{"events": {DisplayName: "events", Method: "GET", URLTemplate: "/events"}}
	s := modulegen.Merge(&src, modulegen.Flags{
		APIName: ptr("chat-v2"), SKU: ptr("PremiumV2_1"), Hops: []string{"app_gateway", "apim"}, MaxEventGap: ptr("5m"), Heartbeat: ptr("30s"),
		APIMName: ptr("apim-prod"), Operations: ops,
	})
	if s.APIName != "chat-v2" || s.Path != "openai" || s.APIM.SKU != "PremiumV2_1" || s.MaxEventGap != "5m" || s.Heartbeat != "30s" ||
		s.APIM.Name != "apim-prod" || s.MaxTimeToHeaders != "30s" || !s.Has(modulegen.HopAppGateway) {
		t.Errorf("spec %+v: want the flags over the tree's values", s)
	}
	if len(s.Operations) != 1 || s.Operations["events"].URLTemplate != "/events" {
		t.Errorf("operations %v: --operation replaces the tree's", s.Operations)
	}
	var settings []string
	for _, a := range s.Assumed {
		settings = append(settings, a.Setting)
	}
	// --apim-name alone leaves the resource group assumed, so the instance
	// still is; the timing the flags did not give still is.
	if want := []string{"api_management", "max_time_to_headers"}; !slices.Equal(settings, want) {
		t.Errorf("assumed %v, want %v", settings, want)
	}
	if len(src.Assumed) != before || src.APIM.SKU != "StandardV2_1" {
		t.Errorf("Merge changed the source: %+v", src)
	}
	if want := "the APIOps tree testdata/apiops (API chat), with --api-name, --apim-name, --apim-sku, --heartbeat, --hops, --max-event-gap and --operation given on the command line"; s.Source != want {
		t.Errorf("source %q, want %q", s.Source, want)
	}
	// A problem with a value a flag gave names the flag.
	s = modulegen.Merge(&src, modulegen.Flags{Path: ptr("/openai")})
	if _, err := modulegen.Generate(s); err == nil || !strings.HasPrefix(err.Error(), `--path: "/openai" is not a URL suffix`) {
		t.Errorf("err = %v, want --path blamed", err)
	}
}
