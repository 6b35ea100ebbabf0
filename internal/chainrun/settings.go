package chainrun

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// The test stream's settings, as sseready_emulated_stream takes them
// beside the chain's own keys.
const (
	KeyEventCount   = "event_count"
	KeyInterval     = "event_interval"
	KeySilenceAfter = "silence_after_event"
	KeyTimeScale    = "time_scale"
	KeyMaxLatency   = "max_latency"
	// The test stream's request: what the APIM hop runs its policy for.
	KeyMethod  = "method"
	KeyBody    = "body"
	KeyHeaders = "headers"
)

// StreamKeys are the test stream's settings; EmulatedResultKeys what
// sseready_emulated_stream computes.
var (
	StreamKeys         = []string{KeyEventCount, KeyInterval, KeySilenceAfter, KeyTimeScale, KeyMaxLatency, KeyMethod, KeyBody, KeyHeaders}
	EmulatedResultKeys = []string{"outcome", "ok", "message", "hops", "events", "notes"}
)

// Limits on an emulated stream: a proof that runs inside terraform plan
// or terraform test must end soon and stay small.
const (
	MaxEvents      = 100
	MaxMaxLatency  = 10 * time.Second
	MaxRealRunTime = 2 * time.Minute
)

// Emulated is a chain with its test stream: what sseready_emulated_stream
// reads.
type Emulated struct {
	Chain chaincheck.Chain
	Run   Run
	// Notes say what a hop given in the chain does not emulate.
	Notes []string
}

// DecodeEmulated reads a chain (chaincheck.Decode) and the test stream's
// settings from one plain object. Unset settings take prove's defaults;
// the backend's max_event_gap and heartbeat_interval time the stream's
// silence (BackendStream). The scaled stream must end within
// MaxRealRunTime. base carries what every hop shares (buffer sizes); its
// TimeScale is set here. Chain.Unknown lists what is not known yet: then
// no hop is built.
func DecodeEmulated(v any, base gateway.Config) (Emulated, []*input.Error) {
	var e Emulated
	c, errs := chaincheck.Decode(v, slices.Concat(StreamKeys, EmulatedResultKeys)...)
	e.Chain = c
	r := &plain.Reader{}
	root, _ := v.(map[string]any)
	s := DefaultStream()
	e.Run = Run{Stream: s, TimeScale: DefaultTimeScale, MaxLatency: DefaultMaxLatency}
	if n := r.Int(root, "", KeyEventCount); n != nil {
		if *n < 1 || *n > MaxEvents {
			r.Fail(KeyEventCount, "%d is out of range: the test stream sends 1 to %d events", *n, MaxEvents)
		}
		e.Run.Stream.Events = int(*n)
	}
	if d, ok := duration(r, root, KeyInterval); ok {
		e.Run.Stream.Interval = d
	}
	if n := r.Int(root, "", KeySilenceAfter); n != nil {
		if *n < 0 || *n > int64(e.Run.Stream.Events) {
			r.Fail(KeySilenceAfter, "%d is out of range: 0 (no silence) to event_count (%d)", *n, e.Run.Stream.Events)
		}
		e.Run.Stream.SilenceAfter = int(*n)
	}
	if f := r.Float(root, "", KeyTimeScale); f != nil {
		if *f < 1 || *f > gateway.MaxTimeScale {
			r.Fail(KeyTimeScale, "%g is out of range: 1 (Azure's own clock) to %d", *f, gateway.MaxTimeScale)
		}
		e.Run.TimeScale = *f
	}
	if d, ok := duration(r, root, KeyMaxLatency); ok {
		if d > MaxMaxLatency {
			r.Fail(KeyMaxLatency, "%s is too long: a relay that holds an event %s is holding the stream; give at most %s", d, d, MaxMaxLatency)
		}
		e.Run.MaxLatency = d
	}
	e.Run.Request = decodeRequest(r, root)
	errs = append(errs, r.Errs...)
	if len(errs) > 0 || len(c.Unknown) > 0 || len(r.Unknown) > 0 {
		e.Chain.Unknown = append(e.Chain.Unknown, r.Unknown...)
		return e, errs
	}
	if _, errs := chaincheck.Check(c); len(errs) > 0 {
		// The documents parse and one policy stands per scope: the chain
		// check's own reading of them, as prove --chain has it.
		return e, errs
	}
	BackendStream(&c, &e.Run.Stream, false, false)
	if scaled := RealDuration(e.Run) - 10*time.Second; scaled > MaxRealRunTime {
		return e, []*input.Error{input.Errorf(KeyTimeScale, "the test stream lasts %s on Azure's clock, %s at a time scale of %g: more than %s; raise time_scale or lower event_count, event_interval or backend.max_event_gap",
			realDuration(e.Run, 1), scaled.Round(time.Second), e.Run.TimeScale, MaxRealRunTime)}
	}
	base.TimeScale = e.Run.TimeScale
	hops, notes, err := FromChain(&c, base)
	if err != nil {
		return e, []*input.Error{input.Errorf("apim", "%v", err)}
	}
	if len(hops) == 0 {
		return e, []*input.Error{input.Errorf("apim", "no hop is given, so there is nothing to emulate: set apim, app_gateway or another hop the stream crosses")}
	}
	for _, h := range hops {
		// What the chain check lets through but no hop can run, such as
		// API Management without a policy.
		cfg := h.Config
		cfg.Upstream = &url.URL{Scheme: "http", Host: "127.0.0.1:1"}
		if _, err := gateway.Derive(cfg); err != nil {
			return e, []*input.Error{input.Errorf(h.Name, "%s", strings.TrimPrefix(err.Error(), "gateway: "))}
		}
	}
	e.Run.Hops, e.Notes = hops, notes
	return e, nil
}

func realDuration(r Run, scale float64) time.Duration {
	r.TimeScale = scale
	return RealDuration(r) - 10*time.Second
}

func duration(r *plain.Reader, m map[string]any, key string) (time.Duration, bool) {
	s, ok := r.String(m, "", key)
	if !ok {
		return 0, false
	}
	d, err := input.Duration(key, s)
	if err != nil {
		r.Errs = append(r.Errs, err)
		return 0, false
	}
	return d, true
}

// decodeRequest reads the test stream's request: an EventSource's GET when
// nothing is given, else the method, body and headers an LLM client sends
// (a body alone means POST), so that a policy that reads the stream flag
// runs as a streaming request takes it.
func decodeRequest(r *plain.Reader, root map[string]any) probe.Request {
	var req probe.Request
	if m, ok := r.String(root, "", KeyMethod); ok {
		switch up := strings.ToUpper(strings.TrimSpace(m)); up {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch:
			req.Method = up
		default:
			r.Fail(KeyMethod, "%q is not a method the test stream sends: use GET or POST (or PUT, PATCH)", m)
		}
	}
	if b, ok := r.String(root, "", KeyBody); ok {
		req.Body = []byte(b)
		if req.Method == "" {
			req.Method = http.MethodPost
		}
	}
	if req.Method == http.MethodGet && req.Body != nil {
		r.Fail(KeyBody, "a GET sends no body: give method = \"POST\", or leave body out")
	}
	if h := r.Object(root[KeyHeaders], KeyHeaders); h != nil {
		req.Header = http.Header{}
		for _, k := range slices.Sorted(maps.Keys(h)) {
			v, ok := r.String(h, KeyHeaders, k)
			if !ok {
				continue
			}
			if strings.TrimSpace(k) == "" || strings.ContainsAny(k, " :\r\n") {
				r.Fail(KeyHeaders+"."+k, "%q is not a header name", k)
				continue
			}
			req.Header.Set(k, v)
		}
	}
	return req
}
