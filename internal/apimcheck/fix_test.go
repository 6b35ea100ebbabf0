package apimcheck

import (
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

func TestFix(t *testing.T) {
	tests := []struct {
		name    string
		scope   Scope
		src     string
		want    string   // the fixed document
		applied []string // rules fixed
		remain  []string // findings left, as summarize renders them
	}{
		{
			name:    "adds buffer-response",
			src:     policy("<base />", "\n  <forward-request timeout=\"120\"/>\n", "<base />", "<base />"),
			want:    policy("<base />", "\n  <forward-request timeout=\"120\" buffer-response=\"false\"/>\n", "<base />", "<base />"),
			applied: []string{rules.ForwardRequestBuffers},
		},
		{
			name:    "turns true into false, keeping the quote style",
			src:     policy("", `<forward-request timeout='120' buffer-response='true' />`, "", ""),
			want:    policy("", `<forward-request timeout='120' buffer-response='false' />`, "", ""),
			applied: []string{rules.ForwardRequestBuffers},
		},
		{
			name:    "replaces an inherited backend at api scope",
			src:     policy("<base />", "\n    <base />\n  ", "<base />", "<base />"),
			want:    policy("<base />", "\n    <forward-request timeout=\"120\" buffer-response=\"false\" />\n  ", "<base />", "<base />"),
			applied: []string{rules.BackendInheritsBuffering},
		},
		{
			name:   "leaves an inherited backend at operation scope",
			scope:  Operation,
			src:    policy("", "<base />", "", ""),
			want:   policy("", "<base />", "", ""),
			remain: []string{"SSE102 warning 3:10"},
		},
		{
			name:    "fixes each forward-request and nothing else",
			src:     policy("", `<choose><when condition="@(context.Request.Headers.GetValueOrDefault("a","") == "b")"><forward-request timeout="10" /></when><otherwise><forward-request timeout="20" buffer-response="TRUE"/></otherwise></choose>`, `<validate-content unspecified-content-type-action="prevent" max-size="1" size-exceeded-action="prevent" />`, ""),
			want:    policy("", `<choose><when condition="@(context.Request.Headers.GetValueOrDefault("a","") == "b")"><forward-request timeout="10" buffer-response="false" /></when><otherwise><forward-request timeout="20" buffer-response="false"/></otherwise></choose>`, `<validate-content unspecified-content-type-action="prevent" max-size="1" size-exceeded-action="prevent" />`, ""),
			applied: []string{rules.ForwardRequestBuffers, rules.ForwardRequestBuffers},
			remain:  []string{"SSE110 error 4:11"},
		},
		{
			name: "a ready document comes back byte for byte",
			src:  "\ufeff<!-- keep -->\r\n" + policy("<base />", goodForward, "<base />", "<base />"),
			want: "\ufeff<!-- keep -->\r\n" + policy("<base />", goodForward, "<base />", "<base />"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx, err := Fix([]byte(tt.src), Options{Scope: tt.scope})
			if err != nil {
				t.Fatal(err)
			}
			if string(fx.Source) != tt.want {
				t.Fatalf("fixed\n%s\nwant\n%s", fx.Source, tt.want)
			}
			var applied []string
			for _, f := range fx.Applied {
				applied = append(applied, f.Rule)
			}
			if strings.Join(applied, ",") != strings.Join(tt.applied, ",") {
				t.Errorf("applied %v, want %v", applied, tt.applied)
			}
			if got := summarize(fx.Remaining.Findings); strings.Join(got, ",") != strings.Join(tt.remain, ",") {
				t.Errorf("remaining %v, want %v", got, tt.remain)
			}
		})
	}
}

// Every corpus file lints without a crash; its fixed form parses, keeps
// every line the fixes did not touch, holds no fixable finding any more,
// and is a fixed point (fixing it again changes nothing).
func TestCorpusFix(t *testing.T) {
	autoFix := map[string]bool{}
	for _, r := range rules.All() {
		autoFix[r.ID] = r.AutoFix
	}
	fixedFiles := 0
	for _, f := range testcorpus.APIMPolicies() {
		t.Run(f.Name, func(t *testing.T) {
			for _, scope := range Scopes {
				fx, err := Fix(f.Data, Options{Scope: scope})
				if err != nil {
					t.Fatalf("%s: %v", scope, err)
				}
				for _, rf := range fx.Remaining.Findings {
					if autoFix[rf.Rule] && rf.Severity == rules.Error {
						t.Errorf("%s: fixable finding left: %v", scope, rf)
					}
				}
				again, err := Fix(fx.Source, Options{Scope: scope})
				if err != nil {
					t.Fatal(err)
				}
				if string(again.Source) != string(fx.Source) || len(again.Applied) != 0 {
					t.Errorf("%s: fixing twice changed the document again", scope)
				}
				before := strings.Split(string(f.Data), "\n")
				after := strings.Split(string(fx.Source), "\n")
				if len(before) != len(after) {
					t.Fatalf("%s: fixes changed the number of lines", scope)
				}
				for i := range before {
					if before[i] != after[i] && !strings.Contains(after[i], `buffer-response="false"`) {
						t.Errorf("%s: line %d changed without a fix on it:\n- %s\n+ %s", scope, i+1, before[i], after[i])
					}
				}
				if scope == API && len(fx.Applied) > 0 {
					fixedFiles++
				}
			}
		})
	}
	if fixedFiles < 40 {
		t.Errorf("only %d corpus files needed a fix at api scope; the corpus has ~50 backends that buffer", fixedFiles)
	}
}
