//go:build linux

package main

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// openPTY opens a pseudo-terminal pair (posix_openpt, unlockpt, ptsname).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("ptsname: %v", e)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// On a terminal, a live line (streams open, events/s, p99, errors) is
// rewritten in place, and cleared before the result.
func TestLoadProgressOnATerminal(t *testing.T) {
	master, slave := openPTY(t)
	defer master.Close()
	if !isTerminal(slave) {
		t.Fatal("the pty's slave is not a terminal to isTerminal")
	}
	var seen bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&seen, master); close(done) }()
	url := loadChain(t, origin.Config{Events: 60, Interval: 50 * time.Millisecond})
	var out bytes.Buffer
	code := run([]string{"load", "--streams", "5", "--duration", "2500ms", url}, strings.NewReader(""), &out, slave)
	slave.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	master.Close()
	got := seen.String()
	if code != exitOK || !strings.Contains(got, "\r\x1b[K") || !strings.Contains(got, "5 streams open") ||
		!strings.Contains(got, "events/s") || !strings.Contains(got, "p99 ") || !strings.Contains(got, "errors 0") {
		t.Fatalf("exit %d, terminal saw %q", code, got)
	}
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Fatalf("the line is not cleared at the end: %q", got)
	}
}
