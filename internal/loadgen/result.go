package loadgen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	// statusPrefix makes the refusal kinds: status_429, status_503...
	statusPrefix = "status_"
)

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
	// was over (without an event count to reach, that is no cut).
	Ended int64 `json:"ended"`
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
}

// Result is a run's (or a merge's) outcome and figures. The fields up to
// Errors are the summary; the rest is what merge and the report read.
type Result struct {
	Outcome    Outcome `json:"outcome"`
	Streams    Streams `json:"streams"`
	Events     int64   `json:"events"`
	EventsPerS float64 `json:"events_per_s"`
	// LatencyMS is arrival minus the origin's sent_unix_nano (null when
	// the events do not carry it); FirstEventMS from the start of a
	// stream's connection to its first event; GapMS between the arrivals
	// of consecutive events of a stream.
	LatencyMS    *Quantiles     `json:"latency_ms"`
	FirstEventMS *Quantiles     `json:"first_event_ms"`
	GapMS        *Quantiles     `json:"gap_ms"`
	Errors       map[Kind]int64 `json:"errors"`

	// Target is the URL's scheme, host and path (no query, no user).
	Target string `json:"target"`
	// ElapsedS is the run's wall time; a merge's is its longest shard's,
	// as shards run side by side.
	ElapsedS float64 `json:"elapsed_s"`
	// Shards are the parts this result covers: one, or every one merged.
	Shards     []Shard    `json:"shards"`
	Histograms Histograms `json:"histograms"`
	Timeline   Timeline   `json:"timeline"`
}

// summarise fills the summary from the counts and histograms.
func (r *Result) summarise() {
	r.LatencyMS = r.Histograms.Latency.Quantiles()
	r.FirstEventMS = r.Histograms.FirstEvent.Quantiles()
	r.GapMS = r.Histograms.Gap.Quantiles()
	if r.ElapsedS > 0 {
		r.EventsPerS = float64(r.Events) / r.ElapsedS
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
	out := &Result{Errors: map[Kind]int64{}, Histograms: Histograms{NewHist(), NewHist(), NewHist()}}
	seen := map[Shard]bool{}
	for i, r := range results {
		if i == 0 {
			out.Target = r.Target
			out.Timeline.BucketS = r.Timeline.BucketS
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
		out.Streams.Planned += r.Streams.Planned
		out.Streams.Opened += r.Streams.Opened
		out.Streams.Failed += r.Streams.Failed
		out.Streams.Cut += r.Streams.Cut
		out.Streams.Buffered += r.Streams.Buffered
		out.Streams.Ended += r.Streams.Ended
		out.Events += r.Events
		out.ElapsedS = max(out.ElapsedS, r.ElapsedS)
		for k, n := range r.Errors {
			out.Errors[k] += n
		}
		for _, p := range []struct{ to, from *Hist }{
			{out.Histograms.Latency, r.Histograms.Latency},
			{out.Histograms.FirstEvent, r.Histograms.FirstEvent},
			{out.Histograms.Gap, r.Histograms.Gap},
		} {
			if err := p.to.Merge(p.from); err != nil {
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
