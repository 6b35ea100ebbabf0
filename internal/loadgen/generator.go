package loadgen

import (
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"
)

// Generator is what the load generator itself went through during a run:
// its CPU, and how long its goroutines waited to run once ready (the
// runtime's scheduling latency: a read loop whose socket had bytes but no
// core to run on). A generator short of CPU delays the events it reads,
// so its latency figures hold its own delay: Saturated says so, and why,
// so that no one blames the gateway for it.
type Generator struct {
	// Cores is GOMAXPROCS: the cores the generator could use.
	Cores int `json:"cores"`
	// CPUS is the process's user and system CPU time over the run (0
	// where the platform does not say).
	CPUS float64 `json:"cpu_s"`
	// CPUUtilization is CPUS over the run's wall time times Cores.
	CPUUtilization float64 `json:"cpu_utilization"`
	// SchedLatencyP99MS is the 99th percentile of the time the
	// generator's goroutines waited to run, over the run.
	SchedLatencyP99MS float64 `json:"sched_latency_p99_ms"`
	// ReadLagP99MS is the 99th percentile of how long the bytes of a read
	// waited in their socket for the generator: from the kernel's receive
	// stamp of the read's last segment to the read. ReadLagReads counts
	// the reads measured: those of the pollers (Linux, plain streams); 0
	// where none was.
	ReadLagP99MS float64 `json:"read_lag_p99_ms"`
	ReadLagReads int64   `json:"read_lag_reads"`
	Saturated    bool    `json:"saturated"`
	// Why says what made it the bottleneck, for a person.
	Why string `json:"why,omitempty"`
}

// When the generator counts as the bottleneck: most of its cores busy,
// or its reads (or, where they are not measured, its goroutines) kept
// waiting long enough to show in the latencies the figures are read at
// (p99 in single milliseconds).
const (
	saturatedCPU   = 0.85
	saturatedSched = 1.0 // ms, p99
	// saturatedReadLag is higher: a reader that wakes from idle lags
	// about that much by itself (on the 2-core virtual machine of
	// BENCHMARKS.md, at 900 events/s and 2 to 5% of its cores, 0.3 to
	// 1.1 ms at p99 in most runs, 2 to 3.7 ms in three of sixteen), and
	// more cores would not shorten it. Above it the latency figures
	// hold a delay a user could blame on a gateway.
	saturatedReadLag = 2.0 // ms, p99
)

// judge fills Saturated and Why from the figures.
func (g *Generator) judge() {
	var why []string
	if g.CPUUtilization >= saturatedCPU {
		why = append(why, fmt.Sprintf("it used %.0f%% of its %d cores", 100*g.CPUUtilization, g.Cores))
	}
	// The read lag is the reads' own wait, where it was measured; the
	// runtime's scheduling latency also counts goroutines that read
	// nothing (dials, timers), so it judges only runs without it.
	switch {
	case g.ReadLagReads > 0 && g.ReadLagP99MS >= saturatedReadLag:
		why = append(why, fmt.Sprintf("its reads lagged up to %.2f ms (p99) behind the bytes' arrival in their sockets", g.ReadLagP99MS))
	case g.ReadLagReads == 0 && g.SchedLatencyP99MS >= saturatedSched:
		why = append(why, fmt.Sprintf("its goroutines waited up to %.2f ms (p99) for a core once their sockets were ready", g.SchedLatencyP99MS))
	}
	g.Saturated = len(why) > 0
	g.Why = ""
	if g.Saturated {
		g.Why = "the load generator itself was a bottleneck: " + strings.Join(why, ", and ") +
			", so its latency figures include its own delay: give it more cores, fewer streams, or shards on other machines (--shard)"
	}
}

// merge folds in another shard's figures: shards run side by side on
// their own machines, so the worst of them decides.
func (g *Generator) merge(o Generator) {
	g.Cores = max(g.Cores, o.Cores)
	g.CPUS += o.CPUS
	g.CPUUtilization = max(g.CPUUtilization, o.CPUUtilization)
	g.SchedLatencyP99MS = max(g.SchedLatencyP99MS, o.SchedLatencyP99MS)
	g.ReadLagP99MS = max(g.ReadLagP99MS, o.ReadLagP99MS)
	g.ReadLagReads += o.ReadLagReads
	g.judge()
}

// generatorWatch measures the generator over a run.
type generatorWatch struct {
	start time.Time
	cpu   time.Duration
	sched *metrics.Float64Histogram
}

const schedMetric = "/sched/latencies:seconds"

func watchGenerator() *generatorWatch {
	return &generatorWatch{start: time.Now(), cpu: processCPU(), sched: schedLatencies()}
}

// done returns the figures since watchGenerator, with the pollers' read
// lag (nil: none).
func (w *generatorWatch) done(readLag *Hist) Generator {
	elapsed := time.Since(w.start)
	g := Generator{Cores: runtime.GOMAXPROCS(0)}
	if cpu := processCPU(); cpu > 0 {
		g.CPUS = (cpu - w.cpu).Seconds()
		if elapsed > 0 {
			g.CPUUtilization = g.CPUS / (elapsed.Seconds() * float64(g.Cores))
		}
	}
	g.SchedLatencyP99MS = 1000 * histQuantile(w.sched, schedLatencies(), 0.99)
	if n := readLag.Count(); n > 0 {
		g.ReadLagReads = n
		g.ReadLagP99MS = readLag.Quantile(0.99)
	}
	g.judge()
	return g
}

func schedLatencies() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: schedMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// histQuantile is the q quantile of what after holds beyond before (the
// runtime's histograms are cumulative), at the upper bound of its bucket:
// an overestimate, never an underestimate.
func histQuantile(before, after *metrics.Float64Histogram, q float64) float64 {
	if after == nil || len(after.Counts) == 0 {
		return 0
	}
	counts := make([]uint64, len(after.Counts))
	var total uint64
	for i, c := range after.Counts {
		if before != nil && i < len(before.Counts) {
			c -= before.Counts[i]
		}
		counts[i] = c
		total += c
	}
	if total == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= want {
			upper := after.Buckets[i+1]
			if math.IsInf(upper, 1) {
				upper = after.Buckets[i]
			}
			return upper
		}
	}
	return 0
}
