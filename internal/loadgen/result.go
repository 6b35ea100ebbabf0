package loadgen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// Kind is why a stream failed or was cut. Kinds are keys of
// Result.Errors: a stream counts once, under the first thing that went
// wrong with it.
type Kind string

// Kinds. A stream that failed never opened (no 200 text/event-stream
// response); a stream that was cut opened and ended before its goal.
const (
	// KindConnect: the TCP connection could not be made.
	KindConnect Kind = "connect"
	// KindTLS: the TLS handshake failed.
	KindTLS Kind = "tls"
	// KindHeadersTimeout: no response headers within the headers timeout.
	KindHeadersTimeout Kind = "headers_timeout"
	// KindProtocol: the response was not HTTP/1.x.
	KindProtocol Kind = "protocol"
	// KindNotSSE: a 200 whose Content-Type is not text/event-stream.
	KindNotSSE Kind = "not_sse"
	// KindCutEOF: the server ended the stream before its event count.
	KindCutEOF Kind = "cut_eof"
	// KindCutBroken: the connection broke off in the middle of the
	// response (reset, or closed before the end of its framing).
	KindCutBroken Kind = "cut_broken"
	// KindCutSilent: nothing arrived for the idle timeout: a hop that
	// drops a flow silently leaves the connection open and mute.
	KindCutSilent Kind = "cut_silent"
	// KindErrorEvent: the stream's protocol sent its error event
	// (Responses' response.failed or error, Anthropic's error): the
	// stream opened, and failed.
	KindErrorEvent Kind = "error_event"
	// KindEncoding: the response's Content-Encoding is not one the load
	// decodes (gzip, deflate, br).
	KindEncoding Kind = "encoding"
	// KindMCPSetup: the MCP session could not be set up or the call not
	// made for another reason than a status, a timeout or a connection
	// (an initialize that failed, an HTTP+SSE stream without its endpoint
	// event).
	KindMCPSetup Kind = "mcp_setup"
	// statusPrefix makes the refusal kinds: status_429, status_503...
	statusPrefix = "status_"
	// noFinalPrefix makes the kinds of streams cut before their
	// protocol's final event: cut_no_final_chat_completions...
	noFinalPrefix = "cut_no_final_"
)

// NoFinalKind is the kind of a stream of protocol p that ended cleanly
// without p's final event (data: [DONE], response.completed,
// message_stop, the MCP response): a cut, as the probe's no_final_event.
func NoFinalKind(p probe.Protocol) Kind { return Kind(noFinalPrefix + string(p)) }

// StatusKind is the kind of a refusal: a response status other than 200.
func StatusKind(code int) Kind { return Kind(statusPrefix + strconv.Itoa(code)) }

// Status is the refusal's status code, or 0 for another kind.
func (k Kind) Status() int {
	s, ok := strings.CutPrefix(string(k), statusPrefix)
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(s)
	return n
}

// Cut tells a cut (the stream had opened) from a failure to open.
func (k Kind) Cut() bool { return strings.HasPrefix(string(k), "cut_") }

// Outcome says how the streams fared, worst first: the first that
// applies of refused, error, not_sse, cut, buffered, else streamed.
type Outcome string

// Outcomes.
const (
	// OutcomeStreamed: every stream opened, none was cut, none looked
	// buffered.
	OutcomeStreamed Outcome = "streamed"
	// OutcomeBuffered: streams opened and stayed, but events of some
	// arrived late or together although they were sent apart.
	OutcomeBuffered Outcome = "buffered"
	// OutcomeCut: some streams were cut (Kind.Cut).
	OutcomeCut Outcome = "cut"
	// OutcomeNotSSE: some responses were not event streams.
	OutcomeNotSSE Outcome = "not_sse"
	// OutcomeRefused: some requests were answered with a status other
	// than 200 (a tier that takes no streams, a rate limit, overload).
	OutcomeRefused Outcome = "refused"
	// OutcomeError: some streams could not be opened for another reason
	// (connect, TLS, headers timeout, protocol).
	OutcomeError Outcome = "error"
)

// OK is true for the outcome the load passes with.
func (o Outcome) OK() bool { return o == OutcomeStreamed }

// Streams count the streams by what became of them.
type Streams struct {
	// Planned is how many streams the run (this shard) was to open.
	Planned int64 `json:"planned"`
	// Opened got a 200 text/event-stream response.
	Opened int64 `json:"opened"`
	// Failed never opened: refused, or an error.
	Failed int64 `json:"failed"`
	// Cut opened and ended before its goal.
	Cut int64 `json:"cut"`
	// Buffered opened and looked buffered (see Options.MaxLatency).
	Buffered int64 `json:"buffered"`
	// Ended opened and was ended by the server, cleanly, before the run
	// was over, in a protocol without a final event (plain SSE): without
	// an event count to reach, that is no cut.
	Ended int64 `json:"ended"`
	// Completed opened and got its protocol's final event (data: [DONE],
	// response.completed or response.incomplete, message_stop, the MCP
	// response), where the load stops reading it.
	Completed int64 `json:"completed"`
	// ErrorEvent opened and got its protocol's error event.
	ErrorEvent int64 `json:"error_event"`
	// Warmup is how many streams were opened during the warmup
	// (Options.Warmup): none of their figures counts anywhere else.
	Warmup int64 `json:"warmup"`
}

// Shard is one part of a run split over processes: the streams whose
// index is Index modulo Count.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Histograms are the distributions behind the summary, encoded so that
// results merge exactly.
type Histograms struct {
	Latency    *Hist `json:"latency"`
	FirstEvent *Hist `json:"first_event"`
	Gap        *Hist `json:"gap"`
	// SocketLatency is each event's send time to its read's kernel
	// receive stamp (see SocketLatencyMS); absent in results of earlier
	// versions.
	SocketLatency *Hist `json:"socket_latency,omitempty"`
}

// Result is a run's (or a merge's) outcome and figures. The fields up to
// ContentEncodings are the summary; the rest is what merge and the report
// read.
type Result struct {
	Outcome Outcome `json:"outcome"`
	Streams Streams `json:"streams"`
	// Events counts every event; ContentEvents those that carry content
	// in their stream's protocol (every event of a plain stream).
	Events        int64 `json:"events"`
	ContentEvents int64 `json:"content_events"`
	// EventsPerS is over the time measured: from the warmup's end.
	EventsPerS float64 `json:"events_per_s"`
	// LatencyMS is arrival minus the origin's sent_unix_nano (null when
	// the events do not carry it); FirstEventMS from the start of a
	// stream's connection to its first event; FirstContentMS to its first
	// content event, all protocols together; GapMS between the arrivals of
	// consecutive content events of a stream.
	LatencyMS *Quantiles `json:"latency_ms"`
	// SocketLatencyMS is the latency to the socket: the origin's
	// sent_unix_nano to the kernel's receive stamp of the read that
	// brought the event, the path's latency without the generator's own
	// wait (Generator.ReadLagP99MS). A read's stamp is its last
	// segment's, so an event read together with later ones counts up to
	// their gap more. Measured on the streams the pollers read (Linux,
	// plain streams); null elsewhere.
	SocketLatencyMS *Quantiles     `json:"socket_latency_ms"`
	FirstEventMS    *Quantiles     `json:"first_event_ms"`
	FirstContentMS  *Quantiles     `json:"first_content_ms"`
	GapMS           *Quantiles     `json:"gap_ms"`
	Errors          map[Kind]int64 `json:"errors"`
	// Protocols are the figures of the streams by the protocol they spoke
	// (forced, or recognised from their events; sse when none was).
	Protocols map[probe.Protocol]*ProtocolFigures `json:"protocols"`
	// ContentEncodings counts the opened streams by their response's
	// content coding ("identity" for none), decoded before they are read.
	ContentEncodings map[string]int64 `json:"content_encodings"`

	// Target is the URL's scheme, host and path (no query, no user).
	Target string `json:"target"`
	// ElapsedS is the run's wall time, warmup included; a merge's is its
	// longest shard's, as shards run side by side. WarmupS is the warmup.
	ElapsedS float64 `json:"elapsed_s"`
	WarmupS  float64 `json:"warmup_s"`
	// Shards are the parts this result covers: one, or every one merged.
	Shards     []Shard    `json:"shards"`
	Histograms Histograms `json:"histograms"`
	Timeline   Timeline   `json:"timeline"`
	// Generator says whether the load generator itself was a bottleneck.
	Generator Generator `json:"generator"`
}

// summarise fills the summary from the counts and histograms.
func (r *Result) summarise() {
	r.LatencyMS = r.Histograms.Latency.Quantiles()
	r.SocketLatencyMS = r.Histograms.SocketLatency.Quantiles()
	r.FirstEventMS = r.Histograms.FirstEvent.Quantiles()
	r.GapMS = r.Histograms.Gap.Quantiles()
	first := NewHist()
	for _, f := range r.Protocols {
		f.summarise()
		_ = first.Merge(f.Histograms.FirstContent) // one geometry: cannot fail
	}
	r.FirstContentMS = first.Quantiles()
	r.EventsPerS = 0
	if measured := r.ElapsedS - r.WarmupS; measured > 0 {
		r.EventsPerS = float64(r.Events) / measured
	}
	r.Outcome = outcome(r.Streams, r.Errors)
}

// outcome judges the counts.
func outcome(s Streams, errs map[Kind]int64) Outcome {
	var refused, failed, notSSE bool
	for k, n := range errs {
		switch {
		case n == 0:
		case k.Status() != 0:
			refused = true
		case k == KindNotSSE:
			notSSE = true
		case !k.Cut():
			failed = true
		}
	}
	switch {
	case refused:
		return OutcomeRefused
	case failed:
		return OutcomeError
	case notSSE:
		return OutcomeNotSSE
	case s.Cut > 0:
		return OutcomeCut
	case s.Buffered > 0:
		return OutcomeBuffered
	}
	return OutcomeStreamed
}

// Merge adds up the results of shards run side by side. It refuses a
// shard given twice and results of different geometry; shards missing
// from a full set are not an error (Missing names them).
func Merge(results []*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, fmt.Errorf("nothing to merge")
	}
	out := newResult()
	seen := map[Shard]bool{}
	for i, r := range results {
		if i == 0 {
			out.Target = r.Target
			out.Timeline.BucketS = r.Timeline.BucketS
			out.WarmupS = r.WarmupS
		}
		if r.WarmupS != out.WarmupS {
			return nil, fmt.Errorf("shards with warmups of %gs and %gs: run the shards with the same --warmup", out.WarmupS, r.WarmupS)
		}
		for _, s := range r.Shards {
			if len(out.Shards) > 0 && s.Count != out.Shards[0].Count {
				return nil, fmt.Errorf("shard %s and shard %s come from different splits", out.Shards[0], s)
			}
			if seen[s] {
				return nil, fmt.Errorf("shard %s is given twice", s)
			}
			seen[s] = true
			out.Shards = append(out.Shards, s)
		}
		out.Streams.add(r.Streams)
		out.Generator.merge(r.Generator)
		out.Events += r.Events
		out.ContentEvents += r.ContentEvents
		out.ElapsedS = max(out.ElapsedS, r.ElapsedS)
		for k, n := range r.Errors {
			out.Errors[k] += n
		}
		for k, n := range r.ContentEncodings {
			out.ContentEncodings[k] += n
		}
		for _, p := range []struct{ to, from *Hist }{
			{out.Histograms.Latency, r.Histograms.Latency},
			{out.Histograms.FirstEvent, r.Histograms.FirstEvent},
			{out.Histograms.Gap, r.Histograms.Gap},
			{out.Histograms.SocketLatency, r.Histograms.SocketLatency},
		} {
			if err := p.to.Merge(p.from); err != nil {
				return nil, err
			}
		}
		for p, f := range r.Protocols {
			if err := out.protocol(p).merge(f); err != nil {
				return nil, err
			}
		}
		if err := out.Timeline.merge(r.Timeline); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out.Shards, func(a, b Shard) int { return a.Index - b.Index })
	out.summarise()
	return out, nil
}

// newResult is an empty result, its maps and histograms made.
func newResult() *Result {
	return &Result{Errors: map[Kind]int64{}, Protocols: map[probe.Protocol]*ProtocolFigures{}, ContentEncodings: map[string]int64{},
		Histograms: Histograms{NewHist(), NewHist(), NewHist(), NewHist()}, Timeline: Timeline{Errors: map[Kind][]int64{}}}
}

// add adds u's counts.
func (s *Streams) add(u Streams) {
	s.Planned += u.Planned
	s.Opened += u.Opened
	s.Failed += u.Failed
	s.Cut += u.Cut
	s.Buffered += u.Buffered
	s.Ended += u.Ended
	s.Completed += u.Completed
	s.ErrorEvent += u.ErrorEvent
	s.Warmup += u.Warmup
}

// Missing lists the shards of a split not in the result.
func (r *Result) Missing() []Shard {
	have := map[int]bool{}
	n := 0
	for _, s := range r.Shards {
		have[s.Index] = true
		n = max(n, s.Count)
	}
	var out []Shard
	for i := 0; i < n; i++ {
		if !have[i] {
			out = append(out, Shard{i, n})
		}
	}
	return out
}
