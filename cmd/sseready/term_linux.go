package main

import (
	"os"
	"syscall"
	"unsafe"
)

// isTerminal is true when f is a terminal (TCGETS succeeds), not a file,
// a pipe or /dev/null.
func isTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
