package ghaction

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const action = `name: t
description: a test action
inputs:
  who:
    description: whom to greet
    default: world
runs:
  using: composite
  steps:
    - uses: actions/setup-go@v5
    - name: greet
      id: greet
      shell: bash
      env:
        WHO: ${{ inputs.who }}
        AT: ${{ github.action_path }}
      run: |
        echo "hello $WHO from $AT"
        echo "greeting=hello $WHO" >> "$GITHUB_OUTPUT"
    - name: fail
      shell: bash
      env:
        GREETING: ${{ steps.greet.outputs.greeting }}
      run: |
        echo "got $GREETING"
        false
        echo "not reached"
    - name: never
      shell: bash
      run: echo never
`

// The steps run in order with their expressions filled in, an output
// reaches the next step, and the first failing step stops the run.
func TestRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "action.yml")
	if err := os.WriteFile(path, []byte(action), 0o600); err != nil {
		t.Fatal(err)
	}
	var f File
	ReadYAML(t, path, &f)
	for _, tt := range []struct {
		inputs map[string]string
		who    string
	}{{nil, "world"}, {map[string]string{"who": "you"}, "you"}} {
		r := NewRun(t, f, "/action", "v1", tt.inputs)
		failed, code := r.Steps(t.TempDir())
		if failed != "fail" || code != 1 {
			t.Fatalf("failed %q with %d, want step fail with 1\n%s", failed, code, r.Log.String())
		}
		if got := r.Outputs["greet"]["greeting"]; got != "hello "+tt.who {
			t.Errorf("greet's output %q", got)
		}
		log := r.Log.String()
		for _, want := range []string{"hello " + tt.who + " from /action", "got hello " + tt.who} {
			if !strings.Contains(log, want) {
				t.Errorf("the log lacks %q:\n%s", want, log)
			}
		}
		if strings.Contains(log, "not reached") || strings.Contains(log, "never") {
			t.Errorf("the run went on after a failure:\n%s", log)
		}
	}
}
