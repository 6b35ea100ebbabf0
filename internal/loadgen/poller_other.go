//go:build !linux || sseready_portable

package loadgen

import (
	"context"
	"time"
)

// pollers exist on Linux (poller_linux.go); elsewhere, and in the
// portable build, every stream reads on its own goroutine.
type pollers struct{}

func newPollers(context.Context, time.Duration, func()) *pollers { return nil }

func (*pollers) readLag() *Hist { return nil }

func (*pollers) add(*polled) error { return errNotPollable }

func (*pollers) close() {}
