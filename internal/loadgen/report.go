package loadgen

import (
	"html/template"
	"io"
	"math"
	"slices"

	"github.com/sseready/terraform-provider-sseready/internal/htmlpage"
)

// WriteReport writes the result as one self-contained HTML page: the
// summary, figures by protocol, and charts of the latency over time, the
// time to the first event, the time to the first content over time, the
// streams open over time and the errors over time, as inline SVG. Its
// Content-Security-Policy lets it load nothing.
func WriteReport(w io.Writer, r *Result) error {
	return reportPage.Execute(w, reportData(r))
}

type reportView struct {
	R                                               *Result
	Latency, FirstEvent, FirstContent, Active, Errs template.HTML
	ErrorKinds                                      []Kind
	// GeneratorCPU is the generator's CPU in percent of its cores.
	GeneratorCPU float64
}

func reportData(r *Result) reportView {
	tl := r.Timeline
	bucket := max(tl.BucketS, 1)
	v := reportView{R: r, GeneratorCPU: 100 * r.Generator.CPUUtilization}
	if r.Histograms.Latency.Count() > 0 {
		p50, p99 := make([]float64, len(tl.Latency)), make([]float64, len(tl.Latency))
		for i, h := range tl.Latency {
			p50[i], p99[i] = math.NaN(), math.NaN()
			if h.Count() > 0 {
				p50[i], p99[i] = h.Quantile(0.5), h.Quantile(0.99)
			}
		}
		v.Latency = lineChart("latency", "latency, ms", bucket, []series{{"p50", colorA, p50}, {"p99", colorB, p99}})
	}
	if r.Histograms.FirstEvent.Count() > 0 {
		v.FirstEvent = firstEventChart(r.Histograms.FirstEvent)
	}
	if r.FirstContentMS != nil {
		p50, p99 := make([]float64, len(tl.FirstContent)), make([]float64, len(tl.FirstContent))
		for i, h := range tl.FirstContent {
			p50[i], p99[i] = math.NaN(), math.NaN()
			if h.Count() > 0 {
				p50[i], p99[i] = h.Quantile(0.5), h.Quantile(0.99)
			}
		}
		v.FirstContent = lineChart("first-content", "time to first content, ms", bucket, []series{{"p50", colorA, p50}, {"p99", colorB, p99}})
	}
	active := tl.Active()
	ys := make([]float64, len(active))
	for i, a := range active {
		ys[i] = float64(a)
	}
	v.Active = lineChart("active", "streams open", bucket, []series{{"streams open", colorC, ys}})
	for k := range tl.Errors {
		v.ErrorKinds = append(v.ErrorKinds, k)
	}
	slices.Sort(v.ErrorKinds)
	palette := []string{colorB, colorErr, "#8250df", "#57606a", "#bc4c00", "#0a3069"}
	var ss []series
	for i, k := range v.ErrorKinds {
		s := series{name: string(k), color: palette[i%len(palette)]}
		for _, n := range tl.Errors[k] {
			s.ys = append(s.ys, float64(n))
		}
		ss = append(ss, s)
	}
	if len(ss) == 0 {
		ss = []series{{"no errors", colorC, make([]float64, len(active))}}
	}
	v.Errs = barChart("errors", "seconds from the start", "streams", float64(len(active))*bucket, ss)
	return v
}

// firstEventChart bins the time to the first event in 30 equal bins
// from 0 to its maximum.
func firstEventChart(h *Hist) template.HTML {
	const bins = 30
	top := niceMax(h.Max())
	counts := make([]float64, bins)
	for _, b := range h.Bars() {
		i := min(bins-1, int(b.From/top*bins))
		counts[i] += float64(b.Count)
	}
	return barChart("first-event", "time to the first event, ms", "streams", top, []series{{"streams", colorA, counts}})
}

// reportPage is the load report on the shared page skeleton (package
// htmlpage: its CSP and common styles).
var reportPage = htmlpage.Must("report", nil, `{{define "title"}}sseready load: {{.R.Target}}{{end}}
{{- define "style"}}.outcome-streamed { color: #1a7f37; } .outcome-bad { color: #cf222e; }
.generator-warning { border-left: 4px solid #bf8700; padding: 4px 8px; background: #fff8c5; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(660px, 1fr)); gap: 8px 24px; }
{{end}}
{{- define "body"}}<h1>sseready load: {{.R.Target}}</h1>
<p>Outcome: <strong class="{{if .R.Outcome.OK}}outcome-streamed{{else}}outcome-bad{{end}}">{{.R.Outcome}}</strong>
{{- with .R.Shards}}; {{len .}} shard(s){{end}}; {{printf "%.1f" .R.ElapsedS}} s.</p>
{{- if .R.Generator.Saturated}}
<p class="generator-warning" data-generator="saturated">Warning: {{.R.Generator.Why}}.</p>
{{- end}}
<table>
<tr><th>streams</th><td>{{.R.Streams.Planned}} planned, {{.R.Streams.Opened}} opened, {{.R.Streams.Failed}} failed, {{.R.Streams.Cut}} cut, {{.R.Streams.Buffered}} buffered, {{.R.Streams.Completed}} completed, {{.R.Streams.ErrorEvent}} ended by an error event, {{.R.Streams.Ended}} ended by the server
{{- if .R.Streams.Warmup}}; {{.R.Streams.Warmup}} more opened during the {{.R.WarmupS}} s warmup, not counted{{end}}</td></tr>
<tr><th>events</th><td>{{.R.Events}}, {{.R.ContentEvents}} with content, {{printf "%.1f" .R.EventsPerS}} per second</td></tr>
{{- range $p, $f := .R.Protocols}}
<tr><th>{{$p}}</th><td>{{$f.Streams}} streams{{if $p.HasFinal}}, {{$f.Completed}} completed{{end}}, {{$f.ContentEvents}} content events
{{- with $f.FirstContentMS}}; first content p50 {{.P50}} ms, p99 {{.P99}} ms{{end}}
{{- with $f.ContentPerS}}; content events per second per stream: min {{.Min}}, p10 {{.P10}}, p50 {{.P50}}, max {{.Max}}{{end}}</td></tr>
{{- end}}
{{- with .R.ContentEncodings}}
<tr><th>content encoding</th><td>{{range $k, $n := .}}{{$k}} {{$n}}; {{end}}</td></tr>
{{- end}}
<tr><th>latency</th><td>{{with .R.LatencyMS}}p50 {{.P50}} ms, p90 {{.P90}} ms, p99 {{.P99}} ms, max {{.Max}} ms{{else}}not measured: no event carried its send time (sent_unix_nano){{end}}</td></tr>
{{- with .R.SocketLatencyMS}}
<tr><th>latency to the socket</th><td>p50 {{.P50}} ms, p90 {{.P90}} ms, p99 {{.P99}} ms, max {{.Max}} ms: to the kernel's receive stamp, without the generator's own wait</td></tr>
{{- end}}
<tr><th>first event</th><td>{{with .R.FirstEventMS}}p50 {{.P50}} ms, p90 {{.P90}} ms, p99 {{.P99}} ms, max {{.Max}} ms{{else}}-{{end}}</td></tr>
<tr><th>first content</th><td>{{with .R.FirstContentMS}}p50 {{.P50}} ms, p90 {{.P90}} ms, p99 {{.P99}} ms, max {{.Max}} ms{{else}}-{{end}}</td></tr>
<tr><th>gap</th><td>{{with .R.GapMS}}p50 {{.P50}} ms, p90 {{.P90}} ms, p99 {{.P99}} ms, max {{.Max}} ms{{else}}-{{end}}</td></tr>
<tr><th>errors</th><td>{{range $k, $n := .R.Errors}}{{$k}} {{$n}}; {{else}}none{{end}}</td></tr>
<tr><th>generator</th><td>{{printf "%.0f" .GeneratorCPU}}% of {{.R.Generator.Cores}} cores
{{- with .R.Generator}}{{if .ReadLagReads}}; its reads lagged p99 {{printf "%.2f" .ReadLagP99MS}} ms behind their sockets{{end}}; scheduling latency p99 {{printf "%.2f" .SchedLatencyP99MS}} ms{{end}}</td></tr>
</table>
<div class="charts">
<section><h2>Latency over time</h2>{{if .Latency}}{{.Latency}}{{else}}<p>No event carried its send time (sent_unix_nano).</p>{{end}}</section>
<section><h2>Time to the first event</h2>{{if .FirstEvent}}{{.FirstEvent}}{{else}}<p>No stream received an event.</p>{{end}}</section>
<section><h2>Time to the first content over time</h2>{{if .FirstContent}}{{.FirstContent}}{{else}}<p>No stream received content.</p>{{end}}</section>
<section><h2>Streams open over time</h2>{{.Active}}</section>
<section><h2>Errors over time</h2>{{.Errs}}</section>
</div>
{{end}}`)
