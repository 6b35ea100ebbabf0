//go:build !unix || sseready_portable

package gateway

import "errors"

// rawIO is false where sockets are not file descriptors the hop can read
// itself: it reads through net.Conn with a buffer of its own per stream.
// The sseready_portable build tag forces this path on Unix too, so its
// tests run on Linux (make test does).
const rawIO = false

var errNoRawIO = errors.New("raw socket I/O is not supported on this platform")

func fdRead(fd uintptr, p []byte) (int, bool, error)  { return 0, false, errNoRawIO }
func fdWrite(fd uintptr, p []byte) (int, bool, error) { return 0, false, errNoRawIO }
