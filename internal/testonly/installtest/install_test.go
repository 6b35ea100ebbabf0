package installtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A configuration as a user writes it next to azurerm: sseready/sseready
// with no version constraint, a data source and a provider function.
const config = `terraform {
  required_providers {
    sseready = { source = "sseready/sseready" }
  }
}

data "sseready_apim_policy" "chat" {
  timeout = 120
}

output "buffer_response_off" {
  value = strcontains(data.sseready_apim_policy.chat.xml, "buffer-response=\"false\"")
}

output "consumption_streams" {
  value = provider::sseready::apim_sku_supports_sse("Consumption_0")
}
`

// Each command gets this long: generous, for a loaded machine; it only
// stops a hung command.
const commandTimeout = 10 * time.Minute

// With VERSION unset make install takes the CHANGELOG's next version as a
// local build.
var devVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\+dev$`)

// TestMakeInstall installs into a temporary HOME's implied mirror and GOBIN,
// then runs the real terraform init (an empty CLI configuration: no
// provider_installation block, so the implied mirror and direct) and plan,
// and the installed sseready.
func TestMakeInstall(t *testing.T) {
	t.Parallel()
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH: this test runs terraform init and plan on what make install installs; " +
			"install Terraform 1.8 or later (https://developer.hashicorp.com/terraform/install)")
	}
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	plugins := filepath.Join(home, ".terraform.d", "plugins")
	gobin := filepath.Join(tmp, "bin")

	makeInstall(t, "TF_PLUGIN_DIR="+plugins, "GOBIN="+gobin)
	version := installedVersion(t, plugins)
	if !devVersion.MatchString(version) {
		t.Errorf("make install with no VERSION installed %q, want the CHANGELOG's next version as a local build (0.1.0+dev)", version)
	}
	checkCLI(t, gobin, version)

	emptyRC := filepath.Join(tmp, "empty.tfrc")
	if err := os.WriteFile(emptyRC, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := terraformEnv(home, emptyRC, filepath.Join(tmp, "xdg"))

	t.Run("terraform", func(t *testing.T) {
		initAndPlan(t, terraform, env, "registry.terraform.io", version)
	})
	t.Run("opentofu", func(t *testing.T) {
		tofu, err := exec.LookPath("tofu")
		if err != nil {
			t.Skip("tofu is not on PATH: the OpenTofu install (registry.opentofu.org/sseready/sseready) is checked only where tofu is installed")
		}
		initAndPlan(t, tofu, env, "registry.opentofu.org", version)
	})
}

// TestMakeInstallVersion: VERSION=v1.2.3 installs 1.2.3; a VERSION that is
// no semantic version is refused, since terraform init could not use it.
func TestMakeInstallVersion(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	plugins := filepath.Join(tmp, "plugins")
	gobin := filepath.Join(tmp, "bin")

	makeInstall(t, "VERSION=v9.8.7", "TF_PLUGIN_DIR="+plugins, "GOBIN="+gobin)
	if v := installedVersion(t, plugins); v != "9.8.7" {
		t.Errorf("VERSION=v9.8.7 installed %q, want 9.8.7", v)
	}
	checkCLI(t, gobin, "9.8.7")

	out, err := run("", makeEnv(), "make", "-C", repoRoot(t), "--no-print-directory", "install",
		"VERSION=banana", "TF_PLUGIN_DIR="+filepath.Join(tmp, "refused"), "GOBIN="+gobin)
	if err == nil {
		t.Fatalf("make install VERSION=banana succeeded, want a refusal:\n%s", out)
	}
	if !strings.Contains(out, "VERSION=banana is not a semantic version") {
		t.Errorf("make install VERSION=banana says:\n%s\nwant it to say the version is not a semantic version", out)
	}
	if _, err := os.Stat(filepath.Join(tmp, "refused")); !os.IsNotExist(err) {
		t.Errorf("make install VERSION=banana created the plugin directory (%v)", err)
	}
}

// initAndPlan runs init and plan of config in a fresh directory with
// terraform or tofu, and checks the provider came from the mirror under
// host at version.
func initAndPlan(t *testing.T, bin string, env []string, host, version string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := func(args ...string) string {
		t.Helper()
		out, err := run(dir, env, bin, args...)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
		}
		return out
	}

	out := tf("init", "-input=false", "-no-color")
	if want := "Installed sseready/sseready v" + version; !strings.Contains(out, want) {
		t.Errorf("init output lacks %q:\n%s", want, out)
	}
	lock, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `provider "` + host + `/sseready/sseready" {` + "\n" + `  version = "` + version + `"`; !strings.Contains(string(lock), want) {
		t.Errorf("the lock file lacks\n%s\nit is:\n%s", want, lock)
	}

	out = tf("plan", "-input=false", "-no-color")
	for _, want := range []string{"buffer_response_off = true", "consumption_streams = false"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}

	out = tf("version")
	if want := "provider " + host + "/sseready/sseready v" + version; !strings.Contains(out, want) {
		t.Errorf("version output lacks %q:\n%s", want, out)
	}
}

// makeInstall runs make install in the repository with the given variables.
func makeInstall(t *testing.T, vars ...string) {
	t.Helper()
	args := append([]string{"-C", repoRoot(t), "--no-print-directory", "install"}, vars...)
	out, err := run("", makeEnv(), "make", args...)
	if err != nil {
		t.Fatalf("make install %s: %v\n%s", strings.Join(vars, " "), err, out)
	}
	t.Logf("make install %s:\n%s", strings.Join(vars, " "), out)
}

// installedVersion returns the one version make install put under
// plugins, after checking both hosts hold the provider for this platform
// in the unpacked layout.
func installedVersion(t *testing.T, plugins string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(plugins, "registry.terraform.io", "sseready", "sseready"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("want one version installed, found %d: %v", len(entries), entries)
	}
	version := entries[0].Name()
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		exe := filepath.Join(plugins, host, "sseready", "sseready", version,
			runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-sseready_v"+version)
		info, err := os.Stat(exe)
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		if info.Mode().Perm()&0o111 == 0 {
			t.Errorf("%s is not executable (%v)", exe, info.Mode())
		}
	}
	return version
}

// checkCLI runs the installed sseready version.
func checkCLI(t *testing.T, gobin, version string) {
	t.Helper()
	out, err := run("", nil, filepath.Join(gobin, "sseready"), "version")
	if err != nil {
		t.Fatalf("sseready version: %v\n%s", err, out)
	}
	if want := "sseready " + version + "\n"; out != want {
		t.Errorf("sseready version printed %q, want %q", out, want)
	}
}

// run runs name in dir (the current one if empty) with env (this
// process's if nil), bounded in time, and returns its combined output.
func run(dir string, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// makeEnv is the environment without what an outer make (make test) passes
// down, and without install variables, so the Makefile's defaults apply.
func makeEnv() []string {
	return without(os.Environ(), func(key string) bool {
		switch key {
		case "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES",
			"VERSION", "INSTALL_VERSION", "TF_PLUGIN_DIR", "GOBIN":
			return true
		}
		return false
	})
}

// terraformEnv is the environment of a user whose HOME is home and whose
// CLI configuration is rc, with no other Terraform settings and no XDG
// data directory of this machine's.
func terraformEnv(home, rc, xdgData string) []string {
	env := without(os.Environ(), func(key string) bool {
		return strings.HasPrefix(key, "TF_") || key == "HOME" || key == "XDG_DATA_HOME" || key == "CHECKPOINT_DISABLE"
	})
	return append(env, "HOME="+home, "TF_CLI_CONFIG_FILE="+rc, "XDG_DATA_HOME="+xdgData, "CHECKPOINT_DISABLE=1")
}

func without(env []string, drop func(key string) bool) []string {
	var kept []string
	for _, kv := range env {
		key, _, _ := strings.Cut(kv, "=")
		if !drop(key) {
			kept = append(kept, kv)
		}
	}
	return kept
}
