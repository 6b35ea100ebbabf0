// Package pagetest checks a page sseready writes as a person sees it:
// headless Chromium loads the file off the network and out of any
// profile, and the test reads the DOM it built, the console messages it
// logged and a screenshot. [Open] loads a live page a test server serves
// the same way. Test-only: nothing but tests imports it.
package pagetest

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Chromium finds the browser: $SSEREADY_CHROMIUM, else chromium on PATH
// (make test installs Debian's).
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SSEREADY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: install Debian's chromium (make test does) or set SSEREADY_CHROMIUM")
	return ""
}

// Headless runs headless Chromium on file with args and returns its
// standard output and the console messages it logged. It is given 90 s:
// a loaded machine starts a browser slowly.
//
// In -short (make test's race runs) it skips the test: the browser is a
// process of its own, which the race detector does not watch, and the
// run without -short opens every page.
func Headless(t testing.TB, file string, args ...string) (stdout []byte, console []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("opens the page in headless Chromium: not in -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := command(ctx, t, "file://"+file, args)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	_ = killGroup(cmd) // helpers it left behind
	return out.Bytes(), consoleLines(errb.String())
}

// command is headless Chromium on target (a file:// or http:// URL) with
// args, in a process group of its own so that killGroup ends its
// renderer and helpers with it, as ending ctx does. The flags keep it off
// the network it cannot reach in a test, out of any profile of the
// machine's, and log the page's console to standard error.
func command(ctx context.Context, t testing.TB, target string, args []string) *exec.Cmd {
	t.Helper()
	argv := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, Chromium(t), append(argv, target)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	return cmd
}

// killGroup kills Chromium's process group: itself and its helpers.
func killGroup(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// consoleLines are the console messages in Chromium's standard error.
func consoleLines(stderr string) []string {
	var console []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return console
}

// Page is headless Chromium on a live page, started by [Open].
type Page struct {
	t       testing.TB
	cmd     *exec.Cmd
	stderr  *os.File
	exited  chan struct{}
	waitErr error
	once    sync.Once
	console []string
}

// Open starts headless Chromium, with Headless's flags and args, on url:
// a page a test server serves, which Chromium keeps open until [Page.Close]
// or the end of the test ends it with its helpers.
//
// Unlike Headless it does not skip in -short: its callers test a live
// server and decide for themselves.
func Open(t testing.TB, url string, args ...string) *Page {
	t.Helper()
	// A file, not a pipe, takes standard error: the helpers that inherit
	// it cannot keep Wait from returning once Chromium has exited.
	stderr, err := os.Create(filepath.Join(t.TempDir(), "chromium.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	p := &Page{t: t, cmd: command(context.Background(), t, url, args), stderr: stderr, exited: make(chan struct{})}
	p.cmd.Stderr = stderr
	if err := p.cmd.Start(); err != nil {
		stderr.Close()
		t.Fatalf("start chromium: %v", err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.Close() })
	return p
}

// Exited is closed once Chromium has exited, by itself or by Close.
func (p *Page) Exited() <-chan struct{} { return p.exited }

// Err is how Chromium exited, once Exited is closed.
func (p *Page) Err() error { return p.waitErr }

// Close ends Chromium and its helpers, if they still run, and returns the
// console messages the page logged. It may be called more than once.
func (p *Page) Close() (console []string) {
	p.once.Do(func() {
		// Chromium may have exited by itself and left helpers in its
		// group: kill the group either way.
		_ = killGroup(p.cmd)
		<-p.exited
		b, err := os.ReadFile(p.stderr.Name())
		p.stderr.Close()
		if err != nil {
			p.t.Errorf("reading chromium's standard error: %v", err)
		}
		p.console = consoleLines(string(b))
	})
	return p.console
}

// DOM loads the page and returns the DOM Chromium built, failing the
// test on any console message (a blocked load, a CSP violation, an
// error).
func DOM(t testing.TB, file string) []byte {
	t.Helper()
	dom, console := Headless(t, file, "--dump-dom")
	if len(console) > 0 {
		t.Fatalf("console messages:\n%s", strings.Join(console, "\n"))
	}
	return dom
}

// Screenshot takes a screenshot of the page, width by height, into shot
// (a PNG), failing on any console message, and returns it decoded.
func Screenshot(t testing.TB, file, shot string, width, height int) image.Image {
	t.Helper()
	size := "--window-size=" + strconv.Itoa(width) + "," + strconv.Itoa(height)
	if _, console := Headless(t, file, size, "--screenshot="+shot); len(console) > 0 {
		t.Fatalf("console messages:\n%s", strings.Join(console, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// SelfContained fails the test when the page refers to anything outside
// itself: a src or href, a script, an import or a url().
func SelfContained(t testing.TB, page []byte) {
	t.Helper()
	if m := regexp.MustCompile(`(?i)(src|href)=|<script|@import|url\(`).Find(page); m != nil {
		t.Fatalf("the page refers to something outside itself: %s", m)
	}
}

// Pixels counts the pixels of img in each colour given as "#rrggbb".
func Pixels(img image.Image, colors ...string) map[string]int {
	want := map[[3]uint32]string{}
	for _, c := range colors {
		var r, g, b uint32
		for i, p := range []*uint32{&r, &g, &b} {
			*p = hex(c[1+2*i])<<4 | hex(c[2+2*i])
		}
		want[[3]uint32{r, g, b}] = c
	}
	seen := map[string]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if c, ok := want[[3]uint32{r >> 8, g >> 8, b >> 8}]; ok {
				seen[c]++
			}
		}
	}
	return seen
}

func hex(c byte) uint32 {
	switch {
	case c >= '0' && c <= '9':
		return uint32(c - '0')
	case c >= 'a' && c <= 'f':
		return uint32(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return uint32(c-'A') + 10
	}
	return 0
}
