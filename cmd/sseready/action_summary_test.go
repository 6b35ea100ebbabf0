package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The action writes the findings as markdown to the job summary
// ($GITHUB_STEP_SUMMARY), unless summary is false; the gate still fails
// on them.
func TestActionJobSummary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the steps are bash")
	}
	var a actionFile
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
		r := &actionRun{t: t, a: a, root: moduleDir(t), temp: t.TempDir(), inputs: inputs, outputs: map[string]map[string]string{}}
		failed, code := r.run(work)
		if failed != "Fail on the findings" || code != 1 {
			t.Fatalf("summary %q: step %q exit %d\n%s", c.summary, failed, code, r.log.String())
		}
		md, err := os.ReadFile(filepath.Join(r.temp, "step_summary.md"))
		if !c.want {
			if err == nil && len(md) > 0 {
				t.Errorf("summary false wrote:\n%s", md)
			}
			continue
		}
		if err != nil {
			t.Fatalf("no job summary: %v\n%s", err, r.log.String())
		}
		out := string(md)
		if !strings.HasPrefix(out, "### sseready lint\n\n**❌ not ready**: 1 error") ||
			!strings.Contains(out, "| ❌ error | SSE101 | `apis/chat/policy.xml:3:12` |") || strings.Contains(out, "apis/ready") {
			t.Errorf("job summary:\n%s", out)
		}
	}
}
