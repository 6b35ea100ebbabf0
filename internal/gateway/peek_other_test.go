//go:build !unix || sseready_portable

package gateway

import (
	"syscall"
	"testing"
)

// waitQueued is for the raw reads' tests, which this build skips.
func waitQueued(t *testing.T, _ syscall.RawConn, _ int) {
	t.Helper()
	t.Skip("this platform reads through net.Conn")
}
