package gateway

import (
	"os"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

func TestGuideIsUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../templates/guides/streaming-test-proxy.md.tmpl")
	if err != nil {
		t.Fatalf("%v (run make generate)", err)
	}
	if string(got) != Guide() {
		t.Fatal("templates/guides/streaming-test-proxy.md.tmpl is stale: run make generate")
	}
}

// Every rule the emulator enacts is in the catalogue, once, and every
// assumption is in the guide.
func TestEffectsNameRealRules(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range ruleEffects {
		if _, ok := rules.Lookup(e.rule); !ok || seen[e.rule] {
			t.Errorf("effect for %q: in the catalogue %v, listed twice %v", e.rule, ok, seen[e.rule])
		}
		seen[e.rule] = true
	}
	for _, c := range clocks {
		if _, ok := rules.Lookup(c.rule); !ok {
			t.Errorf("clock %q names %q, not in the catalogue", c.name, c.rule)
		}
	}
	guide := Guide()
	for _, a := range Assumptions {
		if !strings.Contains(guide, a) {
			t.Errorf("the guide lacks the assumption %q", a)
		}
	}
}
