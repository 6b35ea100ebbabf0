package loadgen

import (
	"context"
	"math"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

func TestGeneratorJudge(t *testing.T) {
	tests := []struct {
		name      string
		g         Generator
		saturated bool
		why       []string
	}{
		{"idle", Generator{Cores: 2, CPUUtilization: 0.20, SchedLatencyP99MS: 0.05}, false, nil},
		{"busy cores", Generator{Cores: 2, CPUUtilization: 0.93, SchedLatencyP99MS: 0.2}, true, []string{"it used 93% of its 2 cores", "--shard"}},
		{"starved goroutines", Generator{Cores: 2, CPUUtilization: 0.5, SchedLatencyP99MS: 4.2}, true, []string{"waited up to 4.20 ms (p99)", "latency figures include its own delay"}},
		{"both", Generator{Cores: 4, CPUUtilization: 0.9, SchedLatencyP99MS: 2}, true, []string{"90% of its 4 cores", ", and its goroutines"}},
		// Where the reads' lag was measured it judges, not the runtime's
		// scheduling latency, which counts goroutines that read nothing.
		{"lagging reads", Generator{Cores: 2, CPUUtilization: 0.4, SchedLatencyP99MS: 0.2, ReadLagP99MS: 6.5, ReadLagReads: 900}, true, []string{"its reads lagged up to 6.50 ms (p99) behind the bytes' arrival in their sockets"}},
		{"prompt reads, busy timers", Generator{Cores: 1, CPUUtilization: 0.6, SchedLatencyP99MS: 12, ReadLagP99MS: 0.3, ReadLagReads: 900}, false, nil},
		{"an idle reader's wake-up", Generator{Cores: 2, CPUUtilization: 0.04, ReadLagP99MS: 1.04, ReadLagReads: 900}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.g
			g.judge()
			if g.Saturated != tt.saturated {
				t.Fatalf("saturated %v, want %v (%s)", g.Saturated, tt.saturated, g.Why)
			}
			for _, w := range tt.why {
				if !strings.Contains(g.Why, w) {
					t.Errorf("why %q does not say %q", g.Why, w)
				}
			}
		})
	}
	// A merge of shards keeps the worst of them.
	a := Generator{Cores: 2, CPUS: 1, CPUUtilization: 0.3, SchedLatencyP99MS: 0.1}
	a.merge(Generator{Cores: 2, CPUS: 3, CPUUtilization: 0.95, SchedLatencyP99MS: 0.4})
	if !a.Saturated || a.CPUS != 4 || a.CPUUtilization != 0.95 || a.SchedLatencyP99MS != 0.4 {
		t.Errorf("merged %+v", a)
	}
	b := Generator{Cores: 2, ReadLagP99MS: 0.2, ReadLagReads: 10}
	b.merge(Generator{Cores: 2, ReadLagP99MS: 1.5, ReadLagReads: 5})
	if b.Saturated || b.ReadLagReads != 15 {
		t.Errorf("merged read lags under the bound: %+v", b)
	}
	b.merge(Generator{Cores: 2, ReadLagP99MS: 3, ReadLagReads: 5})
	if !b.Saturated || b.ReadLagP99MS != 3 || b.ReadLagReads != 20 {
		t.Errorf("merged read lags %+v", b)
	}
}

// histQuantile reads the difference of two cumulative histograms, at the
// upper bound of the bucket that holds the quantile.
func TestHistQuantile(t *testing.T) {
	buckets := []float64{0, 0.001, 0.002, 0.004, math.Inf(1)}
	before := &metrics.Float64Histogram{Buckets: buckets, Counts: []uint64{50, 10, 0, 0}}
	after := &metrics.Float64Histogram{Buckets: buckets, Counts: []uint64{150, 12, 5, 1}}
	// Beyond before: 100, 2, 5, 1 (108 in all): p50 in the first bucket,
	// p99 (107th) in the third, the largest in the last, whose upper
	// bound is infinite: its lower bound is said.
	for q, want := range map[float64]float64{0.5: 0.001, 0.99: 0.004, 1: 0.004} {
		if got := histQuantile(before, after, q); got != want {
			t.Errorf("q %g: %g, want %g", q, got, want)
		}
	}
	if got := histQuantile(after, after, 0.99); got != 0 {
		t.Errorf("nothing new: %g", got)
	}
}

// A run says what the generator went through.
func TestRunMeasuresTheGenerator(t *testing.T) {
	url := startChain(t, origin.Config{Events: 3, Interval: 20 * time.Millisecond})
	res, err := Run(context.Background(), Options{URL: url, Streams: 20, Rate: 200, Events: 3, Duration: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Generator
	if g.Cores < 1 || g.CPUS < 0 || g.CPUUtilization < 0 || g.SchedLatencyP99MS < 0 {
		t.Fatalf("generator %+v", g)
	}
	if g.Saturated != (g.Why != "") {
		t.Errorf("saturated %v with why %q", g.Saturated, g.Why)
	}
}
