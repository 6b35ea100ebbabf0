package loadgen

import (
	"math"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// ProtocolFigures are the figures of the streams that spoke one protocol.
type ProtocolFigures struct {
	// Streams opened and spoke it; Completed got its final event.
	Streams   int64 `json:"streams"`
	Completed int64 `json:"completed"`
	// ContentEvents are the events that carried content in it.
	ContentEvents int64 `json:"content_events"`
	// FirstContentMS is the time from the start of a stream's connection
	// to its first content event (a token, a delta, a progress
	// notification): keep-alives and the Responses and Anthropic opening
	// events are not content. One value per stream with content.
	FirstContentMS *Quantiles `json:"first_content_ms"`
	// ContentPerS is each stream's content events per second, from its
	// request (an MCP call's tools/call) to its last content event: one
	// value per stream with content. The slow streams are the low end
	// (min, p10).
	ContentPerS *Rates             `json:"content_events_per_s"`
	Histograms  ProtocolHistograms `json:"histograms"`
}

// ProtocolHistograms are the distributions behind a protocol's figures.
type ProtocolHistograms struct {
	FirstContent *Hist `json:"first_content"`
	// ContentRate holds rates in thousandths of an event per second
	// (Hist.RecordRate).
	ContentRate *Hist `json:"content_rate"`
}

// Rates are a distribution of rates over streams, in events per second.
type Rates struct {
	Min float64 `json:"min"`
	P10 float64 `json:"p10"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}

func newProtocolFigures() *ProtocolFigures {
	return &ProtocolFigures{Histograms: ProtocolHistograms{NewHist(), NewHist()}}
}

// protocol is p's figures, made when first needed.
func (r *Result) protocol(p probe.Protocol) *ProtocolFigures {
	f := r.Protocols[p]
	if f == nil {
		f = newProtocolFigures()
		r.Protocols[p] = f
	}
	return f
}

func (f *ProtocolFigures) merge(u *ProtocolFigures) error {
	f.Streams += u.Streams
	f.Completed += u.Completed
	f.ContentEvents += u.ContentEvents
	if err := f.Histograms.FirstContent.Merge(u.Histograms.FirstContent); err != nil {
		return err
	}
	return f.Histograms.ContentRate.Merge(u.Histograms.ContentRate)
}

func (f *ProtocolFigures) summarise() {
	f.FirstContentMS = f.Histograms.FirstContent.Quantiles()
	f.ContentPerS = f.Histograms.ContentRate.Rates()
}

// RecordRate adds a rate in events per second, kept in thousandths (the
// histogram's unit; rates up to 3.6 million events per second).
func (h *Hist) RecordRate(perS float64) {
	v := int64(math.Round(perS * 1000))
	_ = h.h.RecordValue(max(0, min(v, histHighest))) // in range: cannot fail
}

// Rates summarise a histogram of rates (RecordRate), or are nil when it
// is empty.
func (h *Hist) Rates() *Rates {
	if h.Count() == 0 {
		return nil
	}
	return &Rates{Min: ms(h.h.Min()), P10: h.Quantile(0.10), P50: h.Quantile(0.50), P90: h.Quantile(0.90), Max: h.Max()}
}
