package chainrun

import (
	"context"
	"fmt"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// Test stream defaults, on Azure's clock: six events ten seconds apart
// and, after the third, a 6-minute silence (longer than the load
// balancer's 4-minute idle cut) bridged by 20-second heartbeats. Prove's
// CLI flags and sseready_emulated_stream start from these.
const (
	DefaultEvents       = 6
	DefaultInterval     = 10 * time.Second
	DefaultHeartbeat    = 20 * time.Second
	DefaultSilenceAfter = 3
	DefaultSilence      = 6 * time.Minute
	DefaultTimeScale    = 60
	// DefaultMaxLatency is the relay latency, in real time, above which
	// an event counts as held.
	DefaultMaxLatency = 100 * time.Millisecond
)

// DefaultStream is the test stream with the defaults above.
func DefaultStream() origin.Config {
	return origin.Config{Events: DefaultEvents, Interval: DefaultInterval, Heartbeat: DefaultHeartbeat,
		SilenceAfter: DefaultSilenceAfter, Silence: DefaultSilence}
}

// BackendStream takes the backend's own timings from the chain into the
// test stream: its longest silence becomes the silence, and its heartbeat
// (none when it gives a gap without one) the heartbeat, unless keep says
// the caller set them itself.
func BackendStream(c *chaincheck.Chain, s *origin.Config, keepSilence, keepHeartbeat bool) {
	gap := c.Backend.MaxEventGap
	if gap <= 0 {
		return
	}
	if !keepSilence {
		s.Silence = gap
	}
	if !keepHeartbeat {
		s.Heartbeat = c.Backend.HeartbeatInterval
	}
}

// Run is one proof: a test stream through emulated hops.
type Run struct {
	// Hops are the hops, client side first.
	Hops []Hop
	// Stream is the test origin's stream on Azure's clock; Prove scales it.
	Stream origin.Config
	// TimeScale runs every clock that many times faster (1 or more).
	TimeScale float64
	// MaxLatency is the relay latency, in real time, above which an
	// event counts as held.
	MaxLatency time.Duration
	// Request is what the probe sends (default: an EventSource's GET).
	// An API Management hop runs its policy for it: a chat completions
	// request with "stream": true takes the branch streams take.
	Request probe.Request
	// Trace records when each event passed each server (Result.Trace;
	// see Trace for how, and what it changes).
	Trace bool
}

// Result is what a proof found.
type Result struct {
	// Outcome is the probe's, completed by Blame: the hop that cut, held
	// or buffered is in Probe.Fault.
	Outcome probe.Outcome
	// OK is true when the stream arrived as a stream, every event of it,
	// and no hop holds a policy error the emulator does not enact.
	OK bool
	// Error says why OK is false.
	Error string
	Hops  []HopResult
	Cuts  []Cut
	Probe probe.Report
	// Trace is when each event passed each server, with Run.Trace.
	Trace *Trace
}

// HopResult is one hop's part in a proof.
type HopResult struct {
	Name     string
	Behavior gateway.Behavior
	// Outcome is the stream's outcome when this hop caused it (cut, held,
	// buffered, refused), else Streamed.
	Outcome probe.Outcome
	// Cut is the hop's first cut, when it made one.
	Cut *gateway.Cut
}

// Prove runs the test stream through the hops on loopback, every clock
// scaled, and judges it. The probe waits for every event, no longer than
// the stream could take plus a margin, and stops at once when a hop drops
// the flow silently: the client would hear nothing more.
func Prove(ctx context.Context, r Run) (Result, error) {
	if err := r.check(); err != nil {
		return Result{}, err
	}
	o := r.Stream
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) / r.TimeScale) }
	o.Interval, o.Heartbeat, o.Silence = scale(o.Interval), scale(o.Heartbeat), scale(o.Silence)
	if o.SilenceAfter == 0 {
		o.Silence = 0
	}
	var rec *recorder
	if r.Trace {
		rec = newRecorder()
	}
	c, err := start(o, r.Hops, nil, rec)
	if err != nil {
		return Result{}, err
	}
	defer c.Close()

	pctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-c.SilentCut():
			stop()
		case <-pctx.Done():
		}
	}()
	rep := probe.Run(pctx, c.URL, probe.Options{Events: o.Events, Duration: RealDuration(r), MaxLatency: r.MaxLatency, Request: r.Request})
	c.BlameFor(&rep, r.Request)
	res := Result{Outcome: rep.Outcome, OK: rep.Outcome == probe.Streamed, Error: rep.Error, Cuts: c.Cuts(), Probe: rep}
	if rec != nil {
		var names []string
		for _, h := range r.Hops {
			names = append(names, h.Name)
		}
		res.Trace = rec.trace(rep.Started, names)
		for _, e := range rep.Events {
			res.Trace.ClientMS = append(res.Trace.ClientMS, e.ArrivalMS)
		}
	}
	req := APIMRequest(r.Request)
	for i, h := range r.Hops {
		hr := HopResult{Name: h.Name, Behavior: behaviorSeen(c.Hops[i], req, &rep), Outcome: probe.Streamed}
		for _, cut := range res.Cuts {
			if cut.Hop == h.Name {
				hr.Cut = &cut.Cut
				break
			}
		}
		_, retyped := hr.Behavior.ContentType()
		if rep.Fault != nil && rep.Fault.Hop == h.Name ||
			rep.Outcome == probe.Refused && (hr.Behavior.Refuse != "" || hr.Behavior.Answer != nil) ||
			rep.Outcome == probe.NotSSE && (hr.Behavior.Answer != nil || retyped) {
			hr.Outcome = rep.Outcome
		}
		res.Hops = append(res.Hops, hr)
	}
	if len(rep.Events) < o.Events && res.OK {
		res.OK, res.Error = false, fmt.Sprintf("%d of %d events arrived", len(rep.Events), o.Events)
	}
	for _, h := range res.Hops {
		if len(h.Behavior.Invalid) > 0 && res.OK {
			res.OK, res.Error = false, fmt.Sprintf("the emulated stream arrived, but %s's policy is not valid as written (%s): %s", h.Name, h.Behavior.Invalid[0].Rule, h.Behavior.Invalid[0].Emulator)
		}
		if len(h.Behavior.NotEnacted) > 0 && res.OK {
			res.OK, res.Error = false, fmt.Sprintf("the emulated stream arrived, but %s's policy holds an error the emulator does not enact (%s): the real gateway breaks this stream", h.Name, h.Behavior.NotEnacted[0].Rule)
		}
	}
	return res, nil
}

// APIMRequest is the request an API Management hop sees when the probe
// sends r: its method, headers (with the probe's Accept and Content-Type
// defaults) and body.
func APIMRequest(r probe.Request) apimcheck.Request {
	req, err := r.HTTP(context.Background(), "http://127.0.0.1/")
	if err != nil {
		return gateway.DefaultRequest()
	}
	return apimcheck.Request{Method: req.Method, Header: req.Header, Body: r.Body}
}

// RealDuration bounds a proof's probe in real time: the scaled stream
// and a margin for the machine.
func RealDuration(r Run) time.Duration {
	s := r.Stream
	total := time.Duration(s.Events) * s.Interval
	if s.SilenceAfter > 0 {
		total += s.Silence
	}
	return time.Duration(float64(total)/r.TimeScale) + 10*time.Second
}

func (r Run) check() error {
	switch {
	case r.TimeScale < 1:
		return fmt.Errorf("the time scale must be 1 or more, not %g", r.TimeScale)
	case r.Stream.Interval <= 0:
		return fmt.Errorf("the interval between events must be positive")
	case r.Stream.Events < 1:
		return fmt.Errorf("the stream needs 1 event or more")
	case r.MaxLatency <= 0:
		return fmt.Errorf("the maximum latency must be positive")
	}
	return nil
}
