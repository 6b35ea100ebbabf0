package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// builtVersion is the version the tests' build of the command carries
// (-X main.version, as the Makefile and goreleaser set it).
const builtVersion = "9.8.7-test"

// built is the command, built once for every test of the process that
// runs the real binary; TestMain removes it.
var built struct {
	once      sync.Once
	dir, path string
	err       error
	out       []byte
}

// builtCLI is the path of the real sseready binary, built with
// builtVersion the first time a test asks.
func builtCLI(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		//nolint:usetesting // shared by the tests of the process, so not one test's TempDir; TestMain removes it
		if built.dir, built.err = os.MkdirTemp("", "sseready-cli-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "sseready")
		built.out, built.err = exec.Command("go", "build", "-ldflags", "-X main.version="+builtVersion, "-o", built.path, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}
