package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/ghaction"
)

// The action writes the findings as markdown to the job summary
// ($GITHUB_STEP_SUMMARY), unless summary is false; the gate still fails
// on them.
func TestActionJobSummary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the steps are bash")
	}
	if testing.Short() {
		t.Skip("runs the action's steps, which build sseready with go: not in -short")
	}
	var a ghaction.File
	readYAML(t, "action.yml", &a)
	work := t.TempDir()
	for name, content := range map[string]string{
		"apis/chat/policy.xml":  bufferingPolicy,
		"apis/ready/policy.xml": readyPolicy,
	} {
		p := filepath.Join(work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		summary string
		want    bool
	}{{"", true}, {"false", false}} {
		inputs := map[string]string{}
		if c.summary != "" {
			inputs["summary"] = c.summary
		}
		r := ghaction.NewRun(t, a, moduleDir(t), "v0.0.0-action-test", inputs)
		failed, code := r.Steps(work)
		if failed != "Fail on the findings" || code != 1 {
			t.Fatalf("summary %q: step %q exit %d\n%s", c.summary, failed, code, r.Log.String())
		}
		out := r.Summary()
		if !c.want {
			if out != "" {
				t.Errorf("summary false wrote:\n%s", out)
			}
			continue
		}
		if out == "" {
			t.Fatalf("no job summary\n%s", r.Log.String())
		}
		if !strings.HasPrefix(out, "### sseready lint\n\n**❌ not ready**: 1 error") ||
			!strings.Contains(out, "| ❌ error | SSE101 | `apis/chat/policy.xml:3:12` |") || strings.Contains(out, "apis/ready") {
			t.Errorf("job summary:\n%s", out)
		}
	}
}
