// Package loadgen opens many SSE streams at once against a URL, sending
// the probe's request (or, with Options.MCP, making one MCP tool call per
// stream), and measures how they arrive: each event's latency against the
// origin's send time (sent_unix_nano) where the data carries it, the gaps
// between content events, the time to the first event and to the first
// content, events per second, each stream's content events per second,
// the streams that completed, failed or were cut by kind, and the streams
// that look buffered. Each stream is read in its protocol, as the probe
// reads it (probe.Dialect: chat completions, Responses, Anthropic
// Messages, MCP or plain SSE), decoded when it is compressed
// (probe.Decoder). Quantiles come from HdrHistograms, which merge
// exactly, so a run split into shards over many machines (Options.Shard)
// adds up to the figures of one run (Merge).
//
// Each stream is its own HTTP/1.1 connection, as separate clients'
// EventSources are. On Linux a plain stream (cleartext, no content
// coding) is read by the run's pollers, one goroutine per core with an
// epoll set of its own (poller_linux.go); any other stream by a goroutine
// of its own that holds no read buffer while the stream is idle (but for
// a compressed stream, whose decoder keeps its buffers, and an MCP call,
// read through the probe's MCP client). Both read a stream to the same
// figures.
package loadgen

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// Options say what load to make.
type Options struct {
	// URL is the stream's http or https URL.
	URL string
	// Request is what each stream sends (the probe's request).
	Request probe.Request
	// Streams is how many streams the whole run opens (all shards).
	Streams int
	// Shard is the part of the streams this process opens (default: all,
	// 0/1): the streams whose index is Shard.Index modulo Shard.Count.
	Shard Shard
	// Rate is how many streams open per second over the whole run (0:
	// all at once). Stream i opens i/Rate seconds after the start, in
	// every shard alike.
	Rate float64
	// Duration ends the run that long after its start.
	Duration time.Duration
	// Events ends each stream after that many content events (0: no
	// count). A stream whose protocol has a final event ends there.
	Events int
	// Protocol forces the streams' protocol ("": each stream's is
	// recognised from its events, as the probe recognises it).
	Protocol probe.Protocol
	// MCP makes each stream one MCP session and one tools/call: the
	// session is set up (probe.OpenMCP), the tool called, the call's
	// stream read, and the session closed; sessions are not reused.
	// Request's headers and Compressed go with every request of it.
	MCP *probe.MCPCall
	// Warmup opens streams without counting them: a stream scheduled to
	// open before the warmup's end (stream i at i/Rate) loads the target
	// as any other, and none of its figures counts; those scheduled at or
	// after it count whole. It needs a Rate that opens streams after it.
	Warmup time.Duration
	// MaxLatency is the latency above which an event counts as held, for
	// the buffered judgement (default 500ms).
	MaxLatency time.Duration
	// IdleTimeout cuts a stream on which nothing arrived for that long
	// (KindCutSilent; default 60s).
	IdleTimeout time.Duration
	// HeadersTimeout bounds the connection, the TLS handshake and the
	// response headers (default 30s).
	HeadersTimeout time.Duration
	// TLSConfig is for https URLs (default: the system's roots).
	TLSConfig *tls.Config
	// Progress, when set, is called every ProgressEvery (default 1s)
	// while the run lasts, from another goroutine.
	Progress      func(Progress)
	ProgressEvery time.Duration

	// onLatency sees every latency recorded, onEnd every stream counted
	// as it ends (tests).
	onLatency func(time.Duration)
	onEnd     func(streamEnd)
	// ownGoroutines reads every stream on its own goroutine, as on
	// platforms without pollers; onPolled hears of each stream handed to
	// a poller (tests of the two readers).
	ownGoroutines bool
	onPolled      func()
	// beforePolledRead runs before each read of a poller (tests: a slow
	// reader, whose lag the generator's figures must show).
	beforePolledRead func()
}

// Progress is a run so far.
type Progress struct {
	Elapsed time.Duration
	// Active streams are open now; Opened, Failed and Cut count so far.
	Active, Opened, Failed, Cut int64
	Events                      int64
	// EventsPerS is over the last interval.
	EventsPerS float64
	// P99MS is the latency's p99 so far, or the gaps' when the events
	// carry no send time; nil before any.
	P99MS *float64
}

func (o *Options) setDefaults() error {
	u, err := url.Parse(o.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("%q is not an http(s) URL", probe.RedactURL(o.URL, o.Request.Query))
	case o.Streams < 1:
		return fmt.Errorf("streams must be 1 or more")
	case o.Duration <= 0:
		return fmt.Errorf("the duration must be positive")
	case o.Events < 0 || o.Rate < 0 || o.MaxLatency < 0 || o.IdleTimeout < 0 || o.HeadersTimeout < 0 || o.Warmup < 0:
		return fmt.Errorf("events, rate, warmup and timeouts cannot be negative")
	case o.Warmup >= o.Duration && o.Warmup > 0:
		return fmt.Errorf("the warmup (%s) must end before the run does (%s)", o.Warmup, o.Duration)
	case o.Warmup > 0 && o.Rate == 0:
		return fmt.Errorf("with a warmup the streams must open at a rate: at once, every one opens within the warmup and none would count")
	case o.Warmup > 0 && o.openAt(o.Streams-1) < o.Warmup:
		return fmt.Errorf("every stream opens within the warmup (%s; the last at %s): none would count; lower the warmup or the rate",
			o.Warmup, o.openAt(o.Streams-1).Round(time.Millisecond))
	}
	if o.Shard.Count == 0 {
		o.Shard = Shard{0, 1}
	}
	if o.Shard.Index < 0 || o.Shard.Index >= o.Shard.Count {
		return fmt.Errorf("shard %s: the index must be from 0 to %d", o.Shard, o.Shard.Count-1)
	}
	if o.Shard.Index >= o.Streams {
		return fmt.Errorf("shard %s has none of %d streams", o.Shard, o.Streams)
	}
	if o.MaxLatency == 0 {
		o.MaxLatency = 500 * time.Millisecond
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = 60 * time.Second
	}
	if o.HeadersTimeout == 0 {
		o.HeadersTimeout = 30 * time.Second
	}
	if o.ProgressEvery == 0 {
		o.ProgressEvery = time.Second
	}
	return nil
}

// openAt is when stream i opens, from the start.
func (o Options) openAt(i int) time.Duration {
	if o.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(i) / o.Rate * float64(time.Second))
}

// warm reports whether stream i opens during the warmup.
func (o Options) warm(i int) bool { return o.Warmup > 0 && o.openAt(i) < o.Warmup }

// Planned is how many streams the shard opens, warmup included.
func (o Options) Planned() int {
	if o.Shard.Count <= 1 {
		return o.Streams
	}
	return (o.Streams - o.Shard.Index + o.Shard.Count - 1) / o.Shard.Count
}

// Run makes the load until the duration is over, every stream has ended,
// or ctx ends, and returns what it measured. An error means it could not
// start (the options are wrong).
func Run(ctx context.Context, opts Options) (*Result, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	target, err := newTarget(opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	start := time.Now()
	rec := newRecorder(start, bucketWidth(opts.Duration), opts)
	rec.res.Target = target.display
	rec.res.Shards = []Shard{opts.Shard}
	rec.res.WarmupS = opts.Warmup.Seconds()
	for i := opts.Shard.Index; i < opts.Streams; i += opts.Shard.Count {
		if opts.warm(i) {
			rec.res.Streams.Warmup++
		} else {
			rec.res.Streams.Planned++
		}
	}

	stopProgress := rec.report(opts)
	watch := watchGenerator()
	var polls *pollers
	if opts.MCP == nil && !opts.ownGoroutines {
		polls = newPollers(ctx, opts.IdleTimeout, opts.beforePolledRead)
	}
	var wg sync.WaitGroup
	for i := opts.Shard.Index; i < opts.Streams; i += opts.Shard.Count {
		if opts.Rate > 0 && !sleepUntil(ctx, start.Add(opts.openAt(i))) {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stream{t: target, rec: rec, opts: &opts, warm: opts.warm(i), polls: polls}
			s.run(ctx)
		}()
	}
	wg.Wait()
	cancel() // the pollers' loops end with the run
	polls.close()
	stopProgress()
	res := rec.result(time.Since(start))
	res.Generator = watch.done(polls.readLag())
	return res, nil
}

// sleepUntil waits for t, or reports false when ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// recorder gathers what the streams measure, under one lock taken once
// per read, with atomic counters for the live progress.
type recorder struct {
	start     time.Time
	width     time.Duration
	onLatency func(time.Duration)
	onEnd     func(streamEnd)

	mu  sync.Mutex
	res Result

	active, opened, failed, cut, events atomic.Int64
}

func newRecorder(start time.Time, width time.Duration, opts Options) *recorder {
	res := newResult()
	res.Timeline.BucketS = width.Seconds()
	return &recorder{start: start, width: width, onLatency: opts.onLatency, onEnd: opts.onEnd, res: *res}
}

func (r *recorder) bucket(t time.Time) int { return max(0, int(t.Sub(r.start)/r.width)) }

// received is one event as a stream counted it.
type received struct {
	at   time.Time
	sent time.Time // zero when the data carries no send time
	// rx is the kernel's receive stamp of the read that brought the
	// event (its last segment's): zero where not measured.
	rx      time.Time
	content bool
	// gap is since the stream's previous content event.
	gap     time.Duration
	hasGap  bool
	first   time.Duration
	isFirst bool
}

func (r *recorder) received(evs []received) {
	if len(evs) == 0 {
		return
	}
	r.events.Add(int64(len(evs)))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Events += int64(len(evs))
	for _, e := range evs {
		i := r.bucket(e.at)
		r.res.Timeline.grow(i)
		r.res.Timeline.Events[i]++
		if e.content {
			r.res.ContentEvents++
		}
		if !e.sent.IsZero() {
			lat := e.at.Sub(e.sent)
			r.res.Histograms.Latency.Record(lat)
			r.res.Timeline.latency(i).Record(lat)
			if r.onLatency != nil {
				r.onLatency(lat)
			}
			if !e.rx.IsZero() {
				r.res.Histograms.SocketLatency.Record(e.rx.Sub(e.sent))
			}
		}
		if e.hasGap {
			r.res.Histograms.Gap.Record(e.gap)
		}
		if e.isFirst {
			r.res.Histograms.FirstEvent.Record(e.first)
		}
	}
}

func (r *recorder) openedAt(at time.Time) {
	r.active.Add(1)
	r.opened.Add(1)
	i := r.bucket(at)
	r.mu.Lock()
	r.res.Streams.Opened++
	r.res.Timeline.grow(i)
	r.res.Timeline.Opened[i]++
	r.mu.Unlock()
}

// streamEnd is how a stream ended and what the recorder keeps of it.
type streamEnd struct {
	at time.Time
	// opened: the stream had opened; kind is what went wrong ("" for
	// nothing).
	opened                     bool
	kind                       Kind
	buffered, ended, completed bool
	protocol                   probe.Protocol
	encoding                   string
	content                    int64
	hasFirstContent            bool
	firstContent               time.Duration
	firstContentAt             time.Time
	rate                       float64
	hasRate                    bool
}

// end records how a stream ended.
func (r *recorder) end(e streamEnd) {
	i := r.bucket(e.at)
	if e.opened {
		r.active.Add(-1)
	}
	switch {
	case e.kind == "":
	case e.kind.Cut():
		r.cut.Add(1)
	default:
		r.failed.Add(1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.onEnd != nil {
		r.onEnd(e)
	}
	r.res.Timeline.grow(i)
	if e.opened {
		r.res.Timeline.Closed[i]++
		r.keepOpened(e)
	}
	if e.kind != "" {
		r.res.Errors[e.kind]++
		r.res.Timeline.addError(i, e.kind, 1)
		switch {
		case e.kind.Cut():
			r.res.Streams.Cut++
		case e.kind == KindErrorEvent:
			r.res.Streams.ErrorEvent++
		default:
			r.res.Streams.Failed++
		}
	}
	if e.buffered {
		r.res.Streams.Buffered++
	}
	if e.ended {
		r.res.Streams.Ended++
	}
	if e.completed {
		r.res.Streams.Completed++
	}
}

// keepOpened keeps the figures of a stream that had opened, by protocol.
func (r *recorder) keepOpened(e streamEnd) {
	enc := e.encoding
	if enc == "" {
		enc = "identity"
	}
	r.res.ContentEncodings[enc]++
	f := r.res.protocol(e.protocol)
	f.Streams++
	f.ContentEvents += e.content
	if e.completed {
		f.Completed++
	}
	if e.hasFirstContent {
		f.Histograms.FirstContent.Record(e.firstContent)
		r.res.Timeline.firstContent(r.bucket(e.firstContentAt)).Record(e.firstContent)
	}
	if e.hasRate {
		f.Histograms.ContentRate.RecordRate(e.rate)
	}
}

// report calls opts.Progress every interval until the returned stop.
func (r *recorder) report(opts Options) (stop func()) {
	if opts.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(opts.ProgressEvery)
		defer t.Stop()
		var last int64
		lastAt := r.start
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				p := r.progress(now)
				p.EventsPerS = float64(p.Events-last) / now.Sub(lastAt).Seconds()
				last, lastAt = p.Events, now
				opts.Progress(p)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (r *recorder) progress(now time.Time) Progress {
	p := Progress{Elapsed: now.Sub(r.start), Active: r.active.Load(), Opened: r.opened.Load(),
		Failed: r.failed.Load(), Cut: r.cut.Load(), Events: r.events.Load()}
	r.mu.Lock()
	h := r.res.Histograms.Latency
	if h.Count() == 0 {
		h = r.res.Histograms.Gap
	}
	if h.Count() > 0 {
		v := h.Quantile(0.99)
		p.P99MS = &v
	}
	r.mu.Unlock()
	return p
}

// result is the run's Result, summarised.
func (r *recorder) result(elapsed time.Duration) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res
	res.ElapsedS = elapsed.Seconds()
	res.summarise()
	return &res
}
