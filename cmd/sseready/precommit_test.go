//go:build !windows

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gitEnv is the environment for the test's own git and pre-commit runs:
// a fixed identity, and none of the variables a git hook running these
// tests would point at another repository.
func gitEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_PREFIX":
			continue
		}
		env = append(env, kv)
	}
	return append(env, append([]string{
		"GIT_AUTHOR_NAME=sseready test", "GIT_AUTHOR_EMAIL=test@sseready.invalid",
		"GIT_COMMITTER_NAME=sseready test", "GIT_COMMITTER_EMAIL=test@sseready.invalid",
	}, extra...)...)
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir, cmd.Env = dir, gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v in %s: %v\n%s", args, dir, err, out)
	}
	return string(out)
}

// snapshotRepo copies the working tree (tracked and untracked files, not
// ignored ones: what `go build` in the checkout sees) into a new git
// repository with one commit, and returns its path and commit. pre-commit
// installs a hook from a commit; this is the code under test, committed
// or not.
func snapshotRepo(t *testing.T) (string, string) {
	t.Helper()
	root := moduleDir(t)
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir, ls.Env = root, gitEnv()
	out, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s (the test copies the checkout): %v", root, err)
	}
	dst := filepath.Join(t.TempDir(), "sseready")
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the working tree, or not a file
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, ".pre-commit-hooks.yaml")); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml is not in the checkout: %v", err)
	}
	git(t, dst, "init", "-q")
	git(t, dst, "add", "-A")
	git(t, dst, "commit", "-q", "-m", "snapshot for the pre-commit test")
	return dst, strings.TrimSpace(git(t, dst, "rev-parse", "HEAD"))
}

// TestPreCommitHook runs the real pre-commit (Debian's; make test
// installs it) on a repository that uses the hook as the README says:
// pre-commit builds sseready with Go from this repository's snapshot, then
// fails on a policy that buffers, passes a ready one and a fragment, and
// leaves XML that is not a policy file alone.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the hook with pre-commit: not in -short")
	}
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Fatal("pre-commit is not on PATH: install Debian's pre-commit (apt-get install pre-commit; make test does)")
	}
	hookRepo, rev := snapshotRepo(t)

	user := t.TempDir()
	files := map[string]string{
		"apis/chat/policy.xml":             bufferingPolicy,
		"apis/ready/policy.xml":            readyPolicy,
		"policy fragments/auth/policy.xml": "<fragment>\n  <set-header name=\"x-trace\" exists-action=\"override\"><value>1</value></set-header>\n</fragment>\n",
		"legacy/orders.policy.xml":         strings.Replace(readyPolicy, "<inbound><base /></inbound>", `<inbound><base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" /></inbound>`, 1),
		// Not a policy file by the hook's pattern, and not one by content.
		"notes/buffering.xml":     bufferingPolicy,
		".pre-commit-config.yaml": "repos:\n  - repo: " + hookRepo + "\n    rev: " + rev + "\n    hooks:\n      - id: sseready-lint\n",
	}
	for name, content := range files {
		p := filepath.Join(user, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, user, "init", "-q")
	git(t, user, "add", "-A")

	// pre-commit's Go build uses this machine's module and build caches
	// (its own GOPATH would download every module again); modules come
	// from the Go module proxy at most. PRE_COMMIT_HOME keeps its store in
	// the test's directory.
	env := gitEnv("PRE_COMMIT_HOME="+filepath.Join(t.TempDir(), "pre-commit-home"), "PRE_COMMIT_COLOR=never")
	for _, v := range []string{"GOMODCACHE", "GOCACHE"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", v, err)
		}
		env = append(env, v+"="+strings.TrimSpace(string(out)))
	}

	// The first run builds the hook: the whole module, which on a fresh
	// machine means downloading and compiling the provider's dependencies
	// too. Bound it by the test's own deadline, leaving time to report.
	deadline := time.Now().Add(20 * time.Minute)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-30 * time.Second)
	}
	run := func(args ...string) (int, string) {
		t.Helper()
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		cmd := exec.CommandContext(ctx, preCommit, append([]string{"run", "--color", "never", "--files"}, args...)...)
		cmd.Dir, cmd.Env = user, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		// pre-commit runs go, which runs the compiler: end them all.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = 10 * time.Second
		start := time.Now()
		err := cmd.Run()
		t.Logf("pre-commit run --files %v: %s", args, time.Since(start).Round(time.Millisecond))
		if ctx.Err() != nil {
			t.Fatalf("pre-commit did not finish by the test's deadline (%s)\n%s", time.Until(deadline), out.String())
		}
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode(), out.String()
		case err != nil:
			t.Fatalf("pre-commit: %v\n%s", err, out.String())
		}
		return 0, out.String()
	}

	code, out := run("apis/chat/policy.xml", "apis/ready/policy.xml", "legacy/orders.policy.xml", "notes/buffering.xml")
	if code != 1 || !strings.Contains(out, "sseready lint") || !strings.Contains(out, "Failed") {
		t.Fatalf("a buffering policy: exit %d, want 1 and Failed\n%s", code, out)
	}
	for _, want := range []string{
		"apis/chat/policy.xml:3:12: error SSE101: forward-request has no buffer-response",
		"legacy/orders.policy.xml:2:20: error SSE120: cache-lookup caches whole responses",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, "notes/buffering.xml") || strings.Contains(out, "apis/ready/policy.xml") {
		t.Errorf("a file that is not a policy file, or a ready one, is reported\n%s", out)
	}

	code, out = run("apis/ready/policy.xml", "policy fragments/auth/policy.xml", "notes/buffering.xml")
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Fatalf("ready policies: exit %d, want 0 and Passed\n%s", code, out)
	}
	code, out = run("notes/buffering.xml")
	if code != 0 || !strings.Contains(out, "(no files to check)") {
		t.Fatalf("no policy file: exit %d, want 0 and no files to check\n%s", code, out)
	}
}
