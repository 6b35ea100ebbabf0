// Package ghaction is a TEST-ONLY emulator of what a GitHub Actions runner
// does with a composite action (action.yml): it reads the file strictly
// (a misspelt key is an error) and runs its shell steps in order as
// GitHub runs them, `bash --noprofile --norc -eo pipefail FILE`, with the
// expressions the steps' env blocks use filled in (inputs.*,
// github.action_path, github.action_ref, runner.temp,
// steps.ID.outputs.NAME), each step's GITHUB_OUTPUT file read for the
// next steps, and one GITHUB_STEP_SUMMARY file the steps append to (Run.Summary). It skips `uses:` steps (Go is on PATH; nothing is
// uploaded) and stops at the first step that fails, as GitHub does.
//
// It is not GitHub's expression language: an expression it does not know
// fails the test, so a new one in action.yml needs a word here first.
// cmd/sseready's TestActionFile runs the repository's action.yml with it.
package ghaction

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// File is what the tests read of an action.yml.
type File struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Author      string            `yaml:"author"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]Input
	Outputs     map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []Step `yaml:"steps"`
	} `yaml:"runs"`
}

// Input is one of the action's inputs.
type Input struct {
	Description string  `yaml:"description"`
	Required    bool    `yaml:"required"`
	Default     *string `yaml:"default"`
}

// Step is one step of a composite action.
type Step struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	With  map[string]string `yaml:"with"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
}

// ReadYAML decodes the YAML file at path into v; a key v has no field
// for is an error, not ignored.
func ReadYAML(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Run is one run of an action's shell steps.
type Run struct {
	t    testing.TB
	file File
	// Root is github.action_path, Temp runner.temp, Ref github.action_ref.
	Root, Temp, Ref string
	// Inputs are the inputs given (the rest take their defaults).
	Inputs map[string]string
	// Outputs are each step's outputs, by step id.
	Outputs map[string]map[string]string
	// Log is every step's name and combined output.
	Log strings.Builder
}

// Summary is what the steps wrote to the job summary ($GITHUB_STEP_SUMMARY),
// "" when nothing.
func (r *Run) Summary() string {
	b, _ := os.ReadFile(r.summaryPath())
	return string(b)
}

func (r *Run) summaryPath() string { return filepath.Join(r.Temp, "step_summary.md") }

// NewRun is a run of f's steps with the inputs given, the action at root,
// runner.temp a new directory of the test's.
func NewRun(t testing.TB, f File, root, ref string, inputs map[string]string) *Run {
	return &Run{t: t, file: f, Root: root, Temp: t.TempDir(), Ref: ref, Inputs: inputs, Outputs: map[string]map[string]string{}}
}

var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// Eval fills in the expressions in s.
func (r *Run) Eval(s string) string {
	r.t.Helper()
	return expression.ReplaceAllStringFunc(s, func(x string) string {
		e := expression.FindStringSubmatch(x)[1]
		switch {
		case strings.HasPrefix(e, "inputs."):
			name := strings.TrimPrefix(e, "inputs.")
			if v, ok := r.Inputs[name]; ok {
				return v
			}
			if in, ok := r.file.Inputs[name]; ok && in.Default != nil {
				return *in.Default
			}
			r.t.Fatalf("${{ %s }}: no such input, or it has no default", e)
		case e == "github.action_path":
			return r.Root
		case e == "github.action_ref":
			return r.Ref
		case e == "runner.temp":
			return r.Temp
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".") // steps.ID.outputs.NAME
			if len(parts) == 4 && parts[2] == "outputs" {
				return r.Outputs[parts[1]][parts[3]]
			}
		}
		r.t.Fatalf("the emulator cannot evaluate ${{ %s }}", e)
		return ""
	})
}

// Step runs one shell step as GitHub does (bash --noprofile --norc -eo
// pipefail FILE) in workspace, and returns its exit status; its outputs
// are recorded for the next steps.
func (r *Run) Step(s Step, workspace string) int {
	r.t.Helper()
	script := filepath.Join(r.Temp, "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o600); err != nil {
		r.t.Fatal(err)
	}
	outFile := filepath.Join(r.Temp, "github_output")
	if err := os.WriteFile(outFile, nil, 0o600); err != nil {
		r.t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = workspace
	cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+r.summaryPath())
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+r.Eval(v))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r.Log.WriteString("== " + s.Name + "\n" + out.String())
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("step %q: %v", s.Name, err)
	}
	data, err := os.ReadFile(outFile)
	if err != nil {
		r.t.Fatal(err)
	}
	if s.ID != "" {
		r.Outputs[s.ID] = map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				r.Outputs[s.ID][k] = v
			}
		}
	}
	return code
}

// Steps runs every shell step in order, skipping the uses: steps and
// stopping at the first failure, as GitHub does. It returns the failing
// step's name and status ("" and 0 when every step passed).
func (r *Run) Steps(workspace string) (string, int) {
	r.t.Helper()
	for _, s := range r.file.Runs.Steps {
		if s.Uses != "" {
			continue
		}
		if code := r.Step(s, workspace); code != 0 {
			return s.Name, code
		}
	}
	return "", 0
}
