package gateway

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (near, far net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	near, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	far = <-accepted
	t.Cleanup(func() { near.Close(); far.Close() })
	return near, far
}

// loopbackUpstream is an upstream over a loopback TCP connection, read through
// its RawConn as the relay reads it, and the connection's far end.
func loopbackUpstream(t *testing.T) (*upstream, net.Conn) {
	t.Helper()
	near, far := tcpPair(t)
	sc, ok := near.(syscall.Conn)
	if !ok {
		t.Fatalf("%T is no syscall.Conn", near)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return &upstream{conn: near, raw: raw}, far
}

// Bytes that arrived while the relay was busy elsewhere are read at once:
// the relay must not wait for a wake-up the poller already delivered
// (RawConn.Read forgets it), or a sender that has nothing more to send
// is never relayed.
func TestReadTakesBytesThatArrivedBeforeTheCall(t *testing.T) {
	if !rawIO {
		t.Skip("this platform reads through net.Conn")
	}
	up, far := loopbackUpstream(t)
	for round := 0; round < 3; round++ {
		if _, err := far.Write([]byte("0123456789")); err != nil {
			t.Fatal(err)
		}
		waitQueued(t, up.raw, 10) // the bytes are there (and the poller saw them arrive)
		_ = up.conn.SetReadDeadline(time.Now().Add(testslack.Bound(time.Second)))
		var got string
		err := up.each(func(buf *[]byte, n int) bool {
			got += string((*buf)[frameHead : frameHead+n])
			return len(got) >= 10
		})
		if err != nil {
			t.Fatalf("round %d: %v (the bytes were there before the read)", round, err)
		}
		if got != "0123456789" {
			t.Fatalf("round %d: read %q", round, got)
		}
	}
}

// After a short read the loop waits without probing the socket again:
// bytes that arrive while a chunk is being delivered, and bytes that come
// later, each wake it (the poller's next edge), within one each call.
func TestEachWakesForBytesAfterAShortRead(t *testing.T) {
	if !rawIO {
		t.Skip("this platform reads through net.Conn")
	}
	up, far := loopbackUpstream(t)
	_ = up.conn.SetReadDeadline(time.Now().Add(testslack.Bound(5 * time.Second)))
	if _, err := far.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	later := make(chan struct{})
	go func() {
		<-later
		time.Sleep(50 * time.Millisecond)
		_, _ = far.Write([]byte("c"))
	}()
	var got string
	err := up.each(func(buf *[]byte, n int) bool {
		got += string((*buf)[frameHead : frameHead+n])
		switch got {
		case "a":
			// Arrives while this chunk is being delivered, before the
			// loop waits again.
			if _, err := far.Write([]byte("b")); err != nil {
				t.Error(err)
			}
		case "ab":
			close(later)
		}
		return len(got) >= 3
	})
	if err != nil || got != "abc" {
		t.Fatalf("got %q, %v: want abc within one call", got, err)
	}
}
