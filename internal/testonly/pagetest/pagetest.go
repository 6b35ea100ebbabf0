// Package pagetest checks a page sseready writes as a person sees it:
// headless Chromium loads the file off the network and out of any
// profile, and the test reads the DOM it built, the console messages it
// logged and a screenshot. Test-only: nothing but tests imports it.
package pagetest

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
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
	argv := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, Chromium(t), append(argv, "file://"+file)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Chromium's helpers share its group: end them all when it is done.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return out.Bytes(), console
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
