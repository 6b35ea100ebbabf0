//go:build !unix

package gateway

import "errors"

// rawIO is false where sockets are not file descriptors the hop can read
// itself: it reads through net.Conn with a buffer of its own per stream.
const rawIO = false

var errNoRawIO = errors.New("raw socket I/O is not supported on this platform")

func fdRead(fd uintptr, p []byte) (int, bool, error)  { return 0, false, errNoRawIO }
func fdWrite(fd uintptr, p []byte) (int, bool, error) { return 0, false, errNoRawIO }
