package pagetest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Open shows a live page's console and, closed, leaves no process of
// Chromium's running: not itself, not its helpers.
func TestOpen(t *testing.T) {
	if testing.Short() {
		t.Skip("opens a page in headless Chromium: not in -short")
	}
	loaded := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>pagetest</title><script>console.log("pagetest: loaded"); fetch("/loaded", {method: "POST"});</script>`))
	})
	mux.HandleFunc("POST /loaded", func(w http.ResponseWriter, r *http.Request) { close(loaded) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	p := Open(t, srv.URL+"/")
	select {
	case <-loaded:
	case <-p.Exited():
		t.Fatalf("chromium exited before the page loaded: %v\n%s", p.Err(), strings.Join(p.Close(), "\n"))
	case <-time.After(90 * time.Second): // a loaded machine starts a browser slowly
		t.Fatalf("the page did not load in 90 s\n%s", strings.Join(p.Close(), "\n"))
	}
	if running(t, p.cmd.Process.Pid) == 0 {
		t.Fatal("no process of Chromium's group runs while the page is open: the check below would prove nothing")
	}
	console := p.Close()
	if len(console) != 1 || !strings.Contains(console[0], `"pagetest: loaded"`) {
		t.Errorf("console %q, want the page's one message", console)
	}
	noneRunning(t, p.cmd.Process.Pid, "")
	if again := p.Close(); len(again) != len(console) {
		t.Errorf("a second Close says %q, the first %q", again, console)
	}
}

// Close ends the whole process group, a helper that outlives Chromium
// included, and the console is read from standard error. A script stands
// in for Chromium: it leaves a child behind, as a helper may.
func TestOpenEndsTheGroup(t *testing.T) {
	dir := t.TempDir()
	child := filepath.Join(dir, "child")
	script := filepath.Join(dir, "chromium")
	err := os.WriteFile(script, []byte(`#!/bin/sh
sleep 600 &
echo $! >`+child+`.tmp && mv `+child+`.tmp `+child+`
echo '[1:1:0101/000000.000000:INFO:CONSOLE(1)] "stand-in: loaded", source: http://127.0.0.1/ (1)' >&2
echo 'not a console line' >&2
exec sleep 600
`), 0o755)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSEREADY_CHROMIUM", script)

	p := Open(t, "http://127.0.0.1:9/")
	var pid int
	for deadline := time.Now().Add(30 * time.Second); pid == 0; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(child); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		} else if time.Now().After(deadline) {
			t.Fatal("the stand-in started no child in 30 s")
		}
	}
	console := p.Close()
	if want := `"stand-in: loaded"`; len(console) != 1 || !strings.Contains(console[0], want) {
		t.Errorf("console %q, want the one line with %s", console, want)
	}
	noneRunning(t, p.cmd.Process.Pid, fmt.Sprintf(" (the stand-in's child is %d)", pid))
}

// noneRunning waits until no process of the group pgid runs, failing
// after 10 s. Killed helpers stay zombies until init reaps them: what
// counts is that none still runs, soon after Close.
func noneRunning(t *testing.T, pgid int, about string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		n := running(t, pgid)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d processes of Chromium's group still run 10 s after Close%s", n, about)
		}
	}
}

// running counts the processes of the process group pgid that are not
// zombies, from /proc (the test is skipped without it).
func running(t *testing.T, pgid int) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		t.Skipf("no /proc to find Chromium's processes in: %v", err)
	}
	n := 0
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // gone since the glob
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) > 2 && fields[2] == strconv.Itoa(pgid) && fields[0] != "Z" && fields[0] != "X" {
			n++
		}
	}
	return n
}
