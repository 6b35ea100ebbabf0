//go:build unix && !sseready_portable

package gateway

import (
	"syscall"
	"unsafe"
)

// rawIO says whether the hop reads and writes sockets itself (see fdRead).
const rawIO = true

// fdRead reads from a non-blocking socket. It uses RawSyscall, which does
// not tell the scheduler it is in a system call: on a non-blocking socket
// the call cannot block, and the scheduler, told, would hand the thread's
// work to another thread whenever a loopback write takes a few tens of
// microseconds, which costs more than the relay itself (see
// BENCHMARKS.md).
func fdRead(fd uintptr, p []byte) (n int, wouldBlock bool, err error) {
	if len(p) == 0 {
		return 0, false, nil
	}
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		switch e {
		case 0:
			return int(r), false, nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, true, nil
		}
		return 0, false, e
	}
}

// fdWrite writes to a non-blocking socket, as fdRead reads.
func fdWrite(fd uintptr, p []byte) (n int, wouldBlock bool, err error) {
	if len(p) == 0 {
		return 0, false, nil
	}
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		switch e {
		case 0:
			return int(r), false, nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, true, nil
		}
		return 0, false, e
	}
}
