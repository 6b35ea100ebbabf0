package loadgen

import (
	"fmt"
	"time"
)

// Timeline is the run in time buckets from its start, for the report.
// Every series adds up across shards bucket by bucket.
type Timeline struct {
	// BucketS is the width of a bucket in seconds.
	BucketS float64 `json:"bucket_s"`
	// Opened and Closed count the streams that opened, and that ended
	// after opening (for any reason), in each bucket.
	Opened []int64 `json:"opened"`
	Closed []int64 `json:"closed"`
	// Events received in each bucket.
	Events []int64 `json:"events"`
	// Errors by kind, per bucket.
	Errors map[Kind][]int64 `json:"errors"`
	// Latency of the events received in each bucket (null where none).
	Latency []*Hist `json:"latency"`
	// FirstContent is the time to the first content of the streams whose
	// first content arrived in each bucket (null where none).
	FirstContent []*Hist `json:"first_content"`
}

// bucketWidth keeps a run's timeline to at most about 120 buckets of
// whole seconds.
func bucketWidth(d time.Duration) time.Duration {
	w := time.Second
	for d/w > 120 {
		w += time.Second
	}
	return w
}

// grow makes bucket i exist in every series.
func (t *Timeline) grow(i int) {
	for len(t.Opened) <= i {
		t.Opened = append(t.Opened, 0)
		t.Closed = append(t.Closed, 0)
		t.Events = append(t.Events, 0)
		t.Latency = append(t.Latency, nil)
		t.FirstContent = append(t.FirstContent, nil)
		for k := range t.Errors {
			t.Errors[k] = append(t.Errors[k], 0)
		}
	}
}

func (t *Timeline) addError(i int, k Kind, n int64) {
	t.grow(i)
	if t.Errors == nil {
		t.Errors = map[Kind][]int64{}
	}
	s := t.Errors[k]
	if s == nil {
		s = make([]int64, len(t.Opened))
	}
	s[i] += n
	t.Errors[k] = s
}

func (t *Timeline) latency(i int) *Hist {
	t.grow(i)
	if t.Latency[i] == nil {
		t.Latency[i] = newTimelineHist()
	}
	return t.Latency[i]
}

func (t *Timeline) firstContent(i int) *Hist {
	t.grow(i)
	if t.FirstContent[i] == nil {
		t.FirstContent[i] = newTimelineHist()
	}
	return t.FirstContent[i]
}

// merge adds u bucket by bucket.
func (t *Timeline) merge(u Timeline) error {
	if len(u.Opened) == 0 {
		return nil
	}
	if t.BucketS == 0 {
		t.BucketS = u.BucketS
	}
	if u.BucketS != t.BucketS {
		return fmt.Errorf("timelines in buckets of %gs and %gs: run the shards with the same --duration", t.BucketS, u.BucketS)
	}
	if len(u.Closed) != len(u.Opened) || len(u.Events) != len(u.Opened) || len(u.Latency) != len(u.Opened) ||
		len(u.FirstContent) != len(u.Opened) {
		return fmt.Errorf("a timeline's series differ in length")
	}
	t.grow(len(u.Opened) - 1)
	for i := range u.Opened {
		t.Opened[i] += u.Opened[i]
		t.Closed[i] += u.Closed[i]
		t.Events[i] += u.Events[i]
		if u.Latency[i].Count() > 0 {
			if err := t.latency(i).Merge(u.Latency[i]); err != nil {
				return err
			}
		}
		if u.FirstContent[i].Count() > 0 {
			if err := t.firstContent(i).Merge(u.FirstContent[i]); err != nil {
				return err
			}
		}
	}
	for k, s := range u.Errors {
		if len(s) != len(u.Opened) {
			return fmt.Errorf("a timeline's series differ in length")
		}
		for i, n := range s {
			if n > 0 {
				t.addError(i, k, n)
			}
		}
	}
	return nil
}

// Active is the number of open streams at the end of each bucket.
func (t *Timeline) Active() []int64 {
	out := make([]int64, len(t.Opened))
	var n int64
	for i := range t.Opened {
		n += t.Opened[i] - t.Closed[i]
		out[i] = n
	}
	return out
}
