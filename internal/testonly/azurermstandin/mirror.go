package azurermstandin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// MirrorVersion is the version the stand-in is installed as in a mirror:
// the azurerm version line its schema comes from (5.2), so constraints
// such as ">= 4.0" select it as they would select azurerm.
const MirrorVersion = "5.2.0"

// MirrorProvider is a provider binary to build into a filesystem mirror.
type MirrorProvider struct {
	// Address is its source address, such as
	// "registry.terraform.io/sseready/sseready".
	Address string
	// Version is the version it is installed as.
	Version string
	// Package is the Go package to build (a directory or import path),
	// LDFlags its -ldflags.
	Package, LDFlags string
}

// StandinProvider is the stand-in as a plugin binary (cmd/azurerm-standin).
var StandinProvider = MirrorProvider{
	Address: Address, Version: MirrorVersion,
	Package: "github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin/cmd/azurerm-standin",
}

// BuildMirror builds each provider with go build into a filesystem
// mirror under dir, in the unpacked layout terraform init reads
// (HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION),
// and returns the mirror's path for [WithMirror]. A provider of
// registry.terraform.io is installed under registry.opentofu.org too, so
// OpenTofu's init finds it by the same source address. Building takes the
// go command's time; a test process builds once and shares the mirror.
func BuildMirror(dir string, providers ...MirrorProvider) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building the provider mirror needs the go command: %w", err)
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, p := range providers {
		parts := strings.Split(p.Address, "/")
		if len(parts) != 3 {
			return "", fmt.Errorf("%q is not a provider source address (HOST/NAMESPACE/TYPE)", p.Address)
		}
		out := filepath.Join(dir, p.Address, p.Version, platform, "terraform-provider-"+parts[2]+"_v"+p.Version)
		ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
		args := []string{"build", "-o", out}
		if p.LDFlags != "" {
			args = append(args, "-ldflags", p.LDFlags)
		}
		cmd := exec.CommandContext(ctx, gobin, append(args, p.Package)...)
		cmd.WaitDelay = 10 * time.Second
		msg, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			return "", fmt.Errorf("go build %s: %v\n%s", p.Package, err, msg)
		}
		// OpenTofu reads "hashicorp/azurerm" as registry.opentofu.org's:
		// the same binary there lets tofu init install it too.
		if rest, ok := strings.CutPrefix(p.Address, terraformRegistry+"/"); ok {
			if err := copyFile(out, filepath.Join(dir, openTofuRegistry, rest, p.Version, platform, filepath.Base(out))); err != nil {
				return "", err
			}
		}
	}
	return dir, nil
}

const (
	terraformRegistry = "registry.terraform.io"
	openTofuRegistry  = "registry.opentofu.org"
)

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755) //nolint:gosec // a provider plugin must be executable
}

// mirrorConfig is a CLI configuration that installs every provider from
// the mirror and nothing from the network.
func mirrorConfig(mirror string) string {
	return fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
}

// writeCLIConfig writes the CLI configuration terraform runs with: empty,
// or installing from o.mirror.
func writeCLIConfig(path string, o options) error {
	content := ""
	if o.mirror != "" {
		content = mirrorConfig(o.mirror)
	}
	return os.WriteFile(path, []byte(content), 0o600)
}

// SSEReadyProvider is sseready's provider (this repository's main
// package) at version v, for a mirror.
func SSEReadyProvider(v string) MirrorProvider {
	return MirrorProvider{Address: "registry.terraform.io/sseready/sseready", Version: v,
		Package: "github.com/sseready/terraform-provider-sseready", LDFlags: "-X main.version=" + v}
}

// SharedMirror is a mirror a test process builds once, on first use, and
// removes at its end (call Remove from TestMain): each test's own TempDir
// would go with that test.
type SharedMirror struct {
	providers []MirrorProvider
	once      sync.Once
	dir, path string
	err       error
}

// NewSharedMirror is a mirror of the providers, built when first asked.
func NewSharedMirror(providers ...MirrorProvider) *SharedMirror {
	return &SharedMirror{providers: providers}
}

// Path builds the mirror the first time and returns it for WithMirror; a
// build that fails fails the test.
func (m *SharedMirror) Path(t testing.TB) string {
	t.Helper()
	m.once.Do(func() {
		//nolint:usetesting // shared by every test of the process, so not one test's TempDir; Remove deletes it
		if m.dir, m.err = os.MkdirTemp("", "sseready-mirror-"); m.err != nil {
			return
		}
		m.path, m.err = BuildMirror(m.dir, m.providers...)
	})
	if m.err != nil {
		t.Fatalf("provider mirror: %v", m.err)
	}
	return m.path
}

// Remove deletes the mirror, if it was built.
func (m *SharedMirror) Remove() {
	if m.dir != "" {
		_ = os.RemoveAll(m.dir)
	}
}
