//go:build !linux

package main

import "os"

// isTerminal is true when f is a character device (a terminal, or
// /dev/null: the progress line then goes nowhere).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
