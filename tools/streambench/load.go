package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// fleet is a set of open streams, read with the wire-format package.
type fleet struct {
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	started   atomic.Int64 // streams that received their first event
	failed    atomic.Int64
	events    atomic.Int64 // events received while measuring
	measuring atomic.Bool

	mu        sync.Mutex
	latencies []time.Duration // relay latency of events received while measuring
	firstErr  error
}

// client opens many connections to one host at once; nothing is shared
// between the targets.
func client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:              nil,
		DialContext:        (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		DisableCompression: true,
		MaxConnsPerHost:    0,
	}}
}

// open starts n streams to url, dialling at most 200 at a time, and waits
// until each has received its first event, or failed, or wait passed.
func open(url string, n int, wait time.Duration) (*fleet, error) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fleet{cancel: cancel}
	c := client()
	dialing := make(chan struct{}, 200)
	for i := 0; i < n; i++ {
		f.wg.Add(1)
		dialing <- struct{}{}
		go f.stream(ctx, c, url, dialing)
	}
	deadline := time.Now().Add(wait)
	for f.started.Load()+f.failed.Load() < int64(n) {
		if time.Now().After(deadline) {
			f.close()
			return nil, fmt.Errorf("%s: %d of %d streams started within %s", url, f.started.Load(), n, wait)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if failed := f.failed.Load(); failed > 0 {
		f.close()
		return nil, fmt.Errorf("%s: %d of %d streams failed, the first: %v", url, failed, n, f.firstErr)
	}
	return f, nil
}

func (f *fleet) stream(ctx context.Context, c *http.Client, url string, dialing chan struct{}) {
	defer f.wg.Done()
	first := true
	release := func() {
		if first {
			first = false
			<-dialing
		}
	}
	defer release()
	fail := func(err error) {
		if ctx.Err() != nil {
			return
		}
		f.failed.Add(1)
		f.mu.Lock()
		if f.firstErr == nil {
			f.firstErr = err
		}
		f.mu.Unlock()
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.Do(req)
	if err != nil {
		fail(err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fail(fmt.Errorf("status %d", resp.StatusCode))
		return
	}
	r := sse.NewReader(resp.Body)
	var lat []time.Duration
	defer func() {
		f.mu.Lock()
		f.latencies = append(f.latencies, lat...)
		f.mu.Unlock()
	}()
	for {
		rec, err := r.Next()
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				fail(fmt.Errorf("the stream ended: %w", err))
			}
			return
		}
		if rec.Kind != sse.KindEvent {
			continue
		}
		if first {
			f.started.Add(1)
			release()
		}
		if f.measuring.Load() {
			var p origin.Payload
			if json.Unmarshal([]byte(rec.Event.Data), &p) == nil && p.SentUnixNano > 0 {
				lat = append(lat, rec.Arrived.Sub(time.Unix(0, p.SentUnixNano)))
			}
			f.events.Add(1)
		}
	}
}

// close ends every stream and waits for their readers.
func (f *fleet) close() {
	f.cancel()
	f.wg.Wait()
}
