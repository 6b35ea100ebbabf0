//go:build linux && !sseready_portable

package loadgen

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// cmsg is one control message as the kernel lays it out.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func stampBytes(sec, nsec int64) []byte {
	ts := [3]unix.Timespec{unix.NsecToTimespec(sec*1e9 + nsec)}
	return unsafe.Slice((*byte)(unsafe.Pointer(&ts[0])), unsafe.Sizeof(ts))
}

func TestReceiptStamp(t *testing.T) {
	other := cmsg(unix.SOL_SOCKET, unix.SCM_RIGHTS, []byte{1, 2, 3, 4})
	stamp := cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING, stampBytes(1700000000, 5))
	short := stamp[:unix.CmsgLen(0)-1]
	lying := append([]byte(nil), stamp...)
	(*unix.Cmsghdr)(unsafe.Pointer(&lying[0])).SetLen(len(lying) + 64)
	for _, tt := range []struct {
		name string
		oob  []byte
		want time.Time
	}{
		{"the stamp", stamp, time.Unix(1700000000, 5)},
		{"after another message", append(append([]byte(nil), other...), stamp...), time.Unix(1700000000, 5)},
		{"no stamp", other, time.Time{}},
		{"a zero stamp (none taken)", cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPING, stampBytes(0, 0)), time.Time{}},
		{"cut short", short, time.Time{}},
		{"a length past the end", lying, time.Time{}},
		{"nothing", nil, time.Time{}},
	} {
		if got := receiptStamp(tt.oob); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The pollers measure how long each read's bytes waited in the socket,
// which is never more than the latency of the events read, and each
// event's latency to the socket, which is never more than its latency: a
// reader that dawdles 5 ms before each read lags at least that much, the
// generator says it was the bottleneck because of it, and its events
// reached their sockets that much before it read them.
func TestPollersMeasureTheirReadLag(t *testing.T) {
	url := startChain(t, origin.Config{Events: 5, Interval: calmInterval(50 * time.Millisecond)})
	run := func(delay time.Duration) *Result {
		var polled atomic.Int64
		opts := Options{URL: url, Streams: 4, Events: 5, Duration: 20 * time.Second, onPolled: func() { polled.Add(1) }}
		if delay > 0 {
			opts.beforePolledRead = func() { time.Sleep(delay) }
		}
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Generator.ReadLagReads == 0 || polled.Load() == 0 || res.LatencyMS == nil {
			t.Fatalf("no read lag was measured (%d streams polled): %+v", polled.Load(), res.Generator)
		}
		if res.Generator.ReadLagP99MS > res.LatencyMS.Max+0.1 {
			t.Errorf("the reads lagged %.2f ms (p99), more than any event's latency (%.2f ms)", res.Generator.ReadLagP99MS, res.LatencyMS.Max)
		}
		// An event reaches its socket before its read returns.
		if s := res.SocketLatencyMS; s == nil || s.Max > res.LatencyMS.Max+0.1 {
			t.Errorf("latency to the socket %+v, latency %+v", s, res.LatencyMS)
		}
		return res
	}
	run(0)
	// On a busy machine a prompt reader may lag as much: only the slow
	// one's lower bound is certain.
	slow := run(5 * time.Millisecond)
	if g := slow.Generator; g.ReadLagP99MS < 5 || !g.Saturated || !strings.Contains(g.Why, "its reads lagged up to") {
		t.Errorf("a reader 5 ms late: %+v", g)
	}
	// The event latest to its socket was read 5 ms after it got there.
	if slow.LatencyMS.Max < slow.SocketLatencyMS.Max+4.9 {
		t.Errorf("a reader 5 ms late: latency max %.2f ms, to the socket %.2f ms", slow.LatencyMS.Max, slow.SocketLatencyMS.Max)
	}
}
