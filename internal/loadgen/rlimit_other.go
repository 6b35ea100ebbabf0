//go:build !unix

package loadgen

// RaiseOpenFileLimit returns 0 (unknown) where there is no rlimit.
func RaiseOpenFileLimit() uint64 { return 0 }
