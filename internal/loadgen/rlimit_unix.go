//go:build unix

package loadgen

import "syscall"

// RaiseOpenFileLimit raises the soft limit on open files to the hard
// limit where allowed (each stream holds one descriptor), and returns
// the limit in force.
func RaiseOpenFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur < l.Max {
		want := l
		want.Cur = l.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
			l = want
		}
	}
	return uint64(l.Cur) //nolint:unconvert // int64 on some platforms
}
