package loadgen

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histograms record microseconds from 0 to an hour with 3 significant
// digits: every value is kept within 0.1%, and two histograms of the same
// geometry merge by adding bucket counts, so the quantiles of a merge are
// those of one histogram over all the values.
const (
	histHighest = int64(time.Hour / time.Microsecond)
	histDigits  = 3
	// timelineDigits is coarser: a histogram per time bucket.
	timelineDigits = 2
)

// Hist is an HdrHistogram of durations in microseconds. In JSON it is
// HdrHistogram's V2 compressed encoding (base64), which the other ports
// of HdrHistogram read too.
type Hist struct {
	h *hdrhistogram.Histogram
}

// NewHist returns an empty histogram of the precision the summaries use.
func NewHist() *Hist { return &Hist{hdrhistogram.New(1, histHighest, histDigits)} }

func newTimelineHist() *Hist { return &Hist{hdrhistogram.New(1, histHighest, timelineDigits)} }

// Record adds d. Negative durations (clocks of two hosts apart) count
// as 0, durations over an hour as an hour.
func (h *Hist) Record(d time.Duration) {
	v := d.Microseconds()
	v = max(0, min(v, histHighest))
	_ = h.h.RecordValue(v) // in range: cannot fail
}

// Count is the number of values recorded.
func (h *Hist) Count() int64 {
	if h == nil || h.h == nil {
		return 0
	}
	return h.h.TotalCount()
}

// Merge adds from's values. Histograms of another geometry are refused:
// their buckets would not add up exactly.
func (h *Hist) Merge(from *Hist) error {
	if from.Count() == 0 {
		return nil
	}
	if from.h.SignificantFigures() != h.h.SignificantFigures() || from.h.HighestTrackableValue() != h.h.HighestTrackableValue() ||
		from.h.LowestTrackableValue() != h.h.LowestTrackableValue() {
		return fmt.Errorf("histograms of different precision cannot be merged exactly (%d and %d significant digits)",
			h.h.SignificantFigures(), from.h.SignificantFigures())
	}
	if dropped := h.h.Merge(from.h); dropped > 0 {
		return fmt.Errorf("%d values out of range in a merged histogram", dropped)
	}
	return nil
}

// Quantile returns the value at q (0 to 1), in milliseconds.
func (h *Hist) Quantile(q float64) float64 { return ms(h.h.ValueAtQuantile(q * 100)) }

// Max is the largest value, in milliseconds (within the precision).
func (h *Hist) Max() float64 { return ms(h.h.Max()) }

// Quantiles summarise the histogram, or are nil when it is empty.
func (h *Hist) Quantiles() *Quantiles {
	if h.Count() == 0 {
		return nil
	}
	return &Quantiles{P50: h.Quantile(0.50), P90: h.Quantile(0.90), P99: h.Quantile(0.99), Max: h.Max()}
}

// Bars are the histogram's populated buckets, in milliseconds.
func (h *Hist) Bars() []Bar {
	var out []Bar
	if h.Count() == 0 {
		return out
	}
	for _, b := range h.h.Distribution() {
		if b.Count > 0 {
			out = append(out, Bar{From: ms(b.From), To: ms(b.To), Count: b.Count})
		}
	}
	return out
}

// Bar is a bucket of values from From to To milliseconds.
type Bar struct {
	From, To float64
	Count    int64
}

func ms(us int64) float64 { return float64(us) / 1000 }

// MarshalJSON writes the V2 compressed encoding; an empty histogram is
// null.
func (h *Hist) MarshalJSON() ([]byte, error) {
	if h.Count() == 0 {
		return []byte("null"), nil
	}
	b, err := h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (h *Hist) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil {
		h.h = nil
		return nil
	}
	d, err := hdrhistogram.Decode([]byte(*s))
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	h.h = d
	return nil
}

// Quantiles are a distribution's summary, in milliseconds.
type Quantiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}
