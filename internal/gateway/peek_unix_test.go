//go:build unix && !sseready_portable

package gateway

import (
	"syscall"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// waitQueued waits until n bytes wait in the socket's receive queue,
// peeked without taking them, so a test can read bytes that arrived
// before its call on a machine of any speed.
func waitQueued(t *testing.T, raw syscall.RawConn, n int) {
	t.Helper()
	buf := make([]byte, n)
	deadline := time.Now().Add(testslack.Bound(5 * time.Second))
	for {
		var got int
		if err := raw.Control(func(fd uintptr) {
			got, _, _ = syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		}); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d bytes arrived", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}
