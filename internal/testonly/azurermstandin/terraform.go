package azurermstandin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// DefaultTimeout bounds each terraform command (and each provider's
// start). It is generous: the tests share loaded machines.
const DefaultTimeout = 5 * time.Minute

// Option changes how [Start], [Plan], [State] and [Validate] run.
type Option func(*options)

type options struct {
	providers map[string]func() tfprotov6.ProviderServer
	files     map[string]string
	timeout   time.Duration
	root      string
	mirror    string
	bases     []string
	whole     bool
}

// WithProvider serves another provider in-process beside the stand-in,
// over protocol 6, under its full source address: sseready's own, for a
// configuration that uses both,
//
//	azurermstandin.WithProvider("registry.terraform.io/sseready/sseready", providerserver.NewProtocol6(provider.New("test")()))
func WithProvider(address string, factory func() tfprotov6.ProviderServer) Option {
	return func(o *options) { o.providers[address] = factory }
}

// WithFile writes a file into the copy of the configuration before
// terraform runs (a required_providers block an example leaves out, say).
func WithFile(name, content string) Option {
	return func(o *options) { o.files[name] = content }
}

// WithRoot copies the tree root, which holds dir, instead of dir alone,
// so module sources that leave dir ("../modules/chat") still resolve.
func WithRoot(root string) Option {
	return func(o *options) { o.root = root }
}

// WithBase copies the configuration directories bases first, each over
// the one before, and dir over them, so dir holds only what differs from
// them: Terraform override files (*_override.tf, merged into the bases'
// blocks), the files it replaces and files of its own. A base may itself
// be laid over another: name both, the lower first. Given more than once,
// WithBase adds to the bases given before. It does not go with WithRoot.
func WithBase(bases ...string) Option {
	return func(o *options) { o.bases = append(o.bases, bases...) }
}

// WithMirror installs the providers from a filesystem mirror that
// [BuildMirror] made, as terraform init installs them from a registry:
// version constraints select, the lock file records hashes, and each
// provider runs as its own plugin process. Nothing is served in-process,
// so WithProvider does not apply.
func WithMirror(path string) Option {
	return func(o *options) { o.mirror = path }
}

// WithWholeSchema serves azurerm's whole schema, every resource type and
// data source, instead of the types the configuration names (see
// [Start]): for a test of the whole schema as terraform reads it.
func WithWholeSchema() Option {
	return func(o *options) { o.whole = true }
}

// WithTimeout bounds each terraform command by d instead of DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// Terraform is a copy of a configuration directory, initialised by the
// real terraform against the stand-in running in this process.
type Terraform struct {
	// Dir is the copy terraform runs in.
	Dir     string
	t       testing.TB
	bin     string
	env     []string
	timeout time.Duration
}

// Start copies dir (its files and subdirectories, without .terraform,
// state or lock files) into a temporary directory, serves the stand-in
// and the WithProvider providers in-process, and runs `terraform init`
// there. The test is skipped if terraform is not on PATH (or at
// TF_ACC_TERRAFORM_PATH); the providers stop when the test ends.
//
// No registry is involved: terraform finds each served provider through
// TF_REATTACH_PROVIDERS, and init neither installs nor locks a provider
// listed there; with WithMirror it installs them from the mirror instead. The CLI configuration (TF_CLI_CONFIG_FILE) is an empty
// file, so no dev_overrides, mirror or credentials of the machine apply;
// a provider the configuration needs that is not served makes init fail,
// within the timeout, instead of being downloaded.
//
// The stand-in serves the azurerm types the copied tree names
// ([ConfigTypes]), not the whole schema, unless WithWholeSchema says so:
// terraform fetches and checks the provider's whole schema in every
// command, about 0.3 s of CPU for azurerm's 1,500 types, and the verdicts
// on the configuration are the same (see [NewFor]).
func Start(t testing.TB, dir string, opts ...Option) *Terraform {
	t.Helper()
	o := options{providers: map[string]func() tfprotov6.ProviderServer{}, files: map[string]string{}, timeout: DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	bin := terraformPath()
	if bin == "" {
		t.Skip("terraform is not on PATH (nor at TF_ACC_TERRAFORM_PATH): the azurerm stand-in tests run the real terraform; install it from https://developer.hashicorp.com/terraform/install")
	}
	work := t.TempDir()
	root, rel := dir, "."
	if o.root != "" {
		r, err := filepath.Rel(o.root, dir)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			t.Fatalf("azurerm stand-in: %s is not inside the root %s", dir, o.root)
		}
		root, rel = o.root, r
	}
	tf := &Terraform{Dir: filepath.Join(work, "config", rel), t: t, bin: bin, timeout: o.timeout}
	if len(o.bases) > 0 && o.root != "" {
		t.Fatal("azurerm stand-in: WithBase and WithRoot do not go together")
	}
	for _, base := range o.bases {
		if err := copyConfig(base, filepath.Join(work, "config")); err != nil {
			t.Fatalf("azurerm stand-in: copying the base %s: %v", base, err)
		}
	}
	if err := copyConfig(root, filepath.Join(work, "config")); err != nil {
		t.Fatalf("azurerm stand-in: copying %s: %v", root, err)
	}
	for name, content := range o.files {
		if err := os.WriteFile(filepath.Join(tf.Dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var types []string // nil: the whole schema
	if !o.whole {
		var err error
		if types, err = ConfigTypes(filepath.Join(work, "config")); err != nil {
			t.Fatalf("azurerm stand-in: %v", err)
		}
	}
	cliConfig := filepath.Join(work, "cli.tfrc")
	if err := writeCLIConfig(cliConfig, o); err != nil {
		t.Fatal(err)
	}
	tf.env = cleanEnv(os.Environ())
	if types != nil {
		tf.env = append(tf.env, TypesEnv+"="+strings.Join(types, ","))
	}
	if o.mirror == "" {
		reattach, err := serveAll(t, o, types)
		if err != nil {
			t.Fatalf("azurerm stand-in: %v", err)
		}
		tf.env = append(tf.env, "TF_REATTACH_PROVIDERS="+reattach)
	} else if len(o.providers) > 0 {
		t.Fatal("azurerm stand-in: WithMirror installs every provider from the mirror; build sseready into it instead of WithProvider")
	}
	tf.env = append(tf.env,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1", // no version check over the network
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
	)
	tf.MustRun("init", "-input=false", "-no-color")
	return tf
}

// serveAll serves the stand-in and the WithProvider providers in this
// process until the test ends, and returns TF_REATTACH_PROVIDERS for them.
func serveAll(t testing.TB, o options, types []string) (string, error) {
	s := &servers{}
	t.Cleanup(s.stop)
	if err := s.serveStandin(t, o.timeout, types); err != nil {
		return "", err
	}
	for _, address := range sortedKeys(o.providers) {
		if err := s.serve6(t, address, o.providers[address], o.timeout); err != nil {
			return "", err
		}
	}
	return s.env()
}

// Run runs `terraform ARGS...` in Dir, bounded by the timeout, and
// returns its standard output; the error holds its standard error.
func (tf *Terraform) Run(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), tf.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf.bin, args...)
	cmd.Dir = tf.Dir
	cmd.Env = tf.env
	cmd.WaitDelay = 10 * time.Second // output pipes held by a stray child
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %s", tf.timeout)
	}
	if err != nil {
		return stdout.Bytes(), fmt.Errorf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, stderr.Bytes(), tail(stdout.Bytes()))
	}
	return stdout.Bytes(), nil
}

// MustRun is Run that fails the test on an error.
func (tf *Terraform) MustRun(args ...string) []byte {
	tf.t.Helper()
	out, err := tf.Run(args...)
	if err != nil {
		tf.t.Fatalf("azurerm stand-in: %v", err)
	}
	return out
}

// Plan returns `terraform show -json` of a saved plan of the
// configuration in dir, planned by the real terraform against the
// stand-in (see [Start]).
func Plan(t testing.TB, dir string, opts ...Option) []byte {
	t.Helper()
	tf := Start(t, dir, opts...)
	tf.MustRun("plan", "-input=false", "-no-color", "-out=standin.tfplan")
	return tf.MustRun("show", "-json", "-no-color", "standin.tfplan")
}

// State applies the configuration in dir against the stand-in (see
// [Start]) and returns `terraform show -json` of the resulting state.
func State(t testing.TB, dir string, opts ...Option) []byte {
	t.Helper()
	tf := Start(t, dir, opts...)
	tf.MustRun("apply", "-input=false", "-no-color", "-auto-approve")
	return tf.MustRun("show", "-json", "-no-color")
}

// ValidateResult is `terraform validate -json`'s output.
type ValidateResult struct {
	Valid        bool         `json:"valid"`
	ErrorCount   int          `json:"error_count"`
	WarningCount int          `json:"warning_count"`
	Diagnostics  []Diagnostic `json:"diagnostics"`
}

// Diagnostic is one of terraform's diagnostics.
type Diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line   int `json:"line"`
			Column int `json:"column"`
		} `json:"start"`
	} `json:"range"`
}

// String lists the diagnostics as file:line:col: severity: summary: detail.
func (r *ValidateResult) String() string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		if d.Range != nil {
			fmt.Fprintf(&b, "%s:%d:%d: ", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column)
		}
		fmt.Fprintf(&b, "%s: %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

// Validate runs `terraform validate` on the configuration in dir against
// the stand-in's azurerm schema (see [Start]). An invalid configuration is
// a result, not a test failure: the caller asserts on it.
func Validate(t testing.TB, dir string, opts ...Option) *ValidateResult {
	t.Helper()
	tf := Start(t, dir, opts...)
	// validate exits 1 when the configuration is invalid, with the JSON
	// on stdout all the same.
	out, err := tf.Run("validate", "-json", "-no-color")
	var r ValidateResult
	if jerr := json.Unmarshal(out, &r); jerr != nil {
		if err == nil {
			err = jerr
		}
		t.Fatalf("azurerm stand-in: %v", err)
	}
	return &r
}

func terraformPath() string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return ""
	}
	return p
}

// cleanEnv drops the variables that would point terraform elsewhere than
// the stand-in's hermetic setup.
func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "TF_CLI_CONFIG_FILE", name == "TERRAFORM_CONFIG", name == "TF_DATA_DIR",
			name == "TF_PLUGIN_CACHE_DIR", name == "TF_REATTACH_PROVIDERS", name == "TF_WORKSPACE", name == TypesEnv,
			strings.HasPrefix(name, "TF_CLI_ARGS"), strings.HasPrefix(name, "TF_VAR_"):
			continue
		}
		out = append(out, kv)
	}
	return out
}

// copyConfig copies a configuration tree, leaving out what an earlier
// terraform run left behind there.
func copyConfig(src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a directory", src)
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		name := d.Name()
		switch {
		case d.IsDir() && name == ".terraform" && rel != ".":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case name == ".terraform.lock.hcl", strings.HasPrefix(name, "terraform.tfstate"), strings.HasSuffix(name, ".tfplan"):
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// tail is the end of terraform's stdout, where a failure's context is.
func tail(b []byte) string {
	const limit = 4000
	if len(b) > limit {
		b = b[len(b)-limit:]
	}
	if len(b) == 0 {
		return ""
	}
	return "stdout:\n" + string(b)
}
