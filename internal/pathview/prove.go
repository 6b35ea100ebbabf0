package pathview

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/htmlpage"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Proof is a proof to draw (prove --report): its result with the trace
// of when each event passed each server.
type Proof struct {
	Title string
	// Result is chainrun.Prove's, run with Trace.
	Result chainrun.Result
	// TimeScale is how much faster the clocks ran; MaxLatency the relay
	// latency (real time) above which an event counts as held.
	TimeScale  float64
	MaxLatency time.Duration
	// Stream and Request describe the test stream (Azure's clock) and the
	// request, for people.
	Stream, Request string
	Notes           []string
}

// WriteProof writes the proof's page: the path with the hop that cut,
// held or buffered the stream marked; each event's passage through each
// hop over time, on Azure's clock, where a slanted line is an event held
// and a line that stops is an event cut; and the latency each hop added
// to each event.
func WriteProof(w io.Writer, pr Proof) error {
	v := proofView{Proof: pr, OK: pr.Result.OK, Outcome: string(pr.Result.Outcome)}
	v.Strip = strip(proofPath(pr.Result))
	if tr := pr.Result.Trace; tr != nil {
		v.Lanes = lanes(pr, tr)
		v.Columns, v.Rows = latencyTable(pr, tr)
	}
	return proofPage.Execute(w, v)
}

type proofView struct {
	Proof
	OK      bool
	Outcome string
	Strip   template.HTML
	Lanes   template.HTML
	Columns []string
	Rows    []latencyRow
}

type latencyRow struct {
	Event  int
	SentMS string
	Cells  []latencyCell
}

type latencyCell struct {
	Hop, Text, Class string
}

// proofPath is the proven path for the strip: the client, the hops, the
// test origin; each hop that caused the outcome marked with it.
func proofPath(r chainrun.Result) Path {
	p := Path{Hops: []Hop{{Key: HopClient}}}
	cut := map[string]bool{}
	for _, c := range r.Cuts {
		cut[c.Hop] = true
	}
	for i, h := range r.Hops {
		hop := Hop{Key: h.Name, Mark: "streams"}
		switch {
		case h.Outcome != probe.Streamed:
			hop.Mark, hop.MarkSeverity = string(h.Outcome), rules.Error
		case r.Trace != nil && !cut[h.Name] && len(r.Trace.Hops[i].AtMS) < len(upstream(r.Trace, i)):
			// Events came in and did not go out, and the hop cut nothing:
			// it holds them.
			hop.Mark, hop.MarkSeverity = "held", rules.Error
		}
		p.Hops = append(p.Hops, hop)
	}
	p.Hops = append(p.Hops, Hop{Key: "origin", Mark: "sends"})
	return p
}

// upstream is the passages of the server behind the i-th hop.
func upstream(tr *chainrun.Trace, i int) []float64 {
	if i+1 < len(tr.Hops) {
		return tr.Hops[i+1].AtMS
	}
	return tr.Origin.AtMS
}

// servers are the trace's servers from the client side: the client, each
// hop, the origin; at[i] their passages.
func servers(tr *chainrun.Trace) (names []string, at [][]float64) {
	names, at = []string{HopClient}, [][]float64{tr.ClientMS}
	for _, h := range tr.Hops {
		names, at = append(names, h.Name), append(at, h.AtMS)
	}
	return append(names, "origin"), append(at, tr.Origin.AtMS)
}

// Geometry of the lanes.
const (
	laneX0, laneX1, laneTop, laneGap = 190.0, 1060.0, 26.0, 46.0
)

// lanes draws one lane per server, the client on top, time on Azure's
// clock across: each event a line from the origin up through the lanes it
// passed, a dot where it passed each; a cut a red mark on its hop's lane.
func lanes(pr Proof, tr *chainrun.Trace) template.HTML {
	names, at := servers(tr)
	top := 0.0
	for _, a := range at {
		for _, ms := range a {
			top = math.Max(top, ms)
		}
	}
	for _, c := range tr.Cuts {
		top = math.Max(top, c.AtMS)
	}
	scale := max(pr.TimeScale, 1)
	azure := func(ms float64) time.Duration { return time.Duration(ms * scale * float64(time.Millisecond)) }
	end, step := axisFor(azure(top))
	x := func(ms float64) float64 { return laneX0 + (laneX1-laneX0)*float64(azure(ms))/float64(end) }
	y := func(i int) float64 { return laneTop + laneGap*float64(i) }
	h := y(len(names)-1) + 34
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="lanes" data-scale="%g" viewBox="0 0 %g %g" width="%g" height="%g" role="img" xmlns="http://www.w3.org/2000/svg">`,
		scale, laneX1+20, h, laneX1+20, h)
	for i, n := range names {
		fmt.Fprintf(&b, `<g class="lane" data-hop="%s"><line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#d0d7de"/><text x="%g" y="%.1f" font-size="12" text-anchor="end">%s</text></g>`,
			html.EscapeString(n), laneX0, laneX1, y(i), y(i), laneX0-10, y(i)+4, html.EscapeString(HopName(n)))
	}
	for d := time.Duration(0); d <= end; d += step {
		xx := laneX0 + (laneX1-laneX0)*float64(d)/float64(end)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%.1f" stroke="#eaeef2"/><text x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%s</text>`,
			xx, xx, laneTop-10, h-22, xx, h-8, Dur(d))
	}
	events := len(tr.Origin.AtMS)
	for _, a := range at {
		events = max(events, len(a))
	}
	for e := range events {
		// From the origin (the last lane) up, while the event passed.
		var pts []string
		var dots strings.Builder
		reached := true
		for i := len(names) - 1; i >= 0; i-- {
			if e >= len(at[i]) {
				reached = false
				break
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(at[i][e]), y(i)))
			fmt.Fprintf(&dots, `<circle class="passage" data-event="%d" data-hop="%s" data-ms="%.1f" cx="%.1f" cy="%.1f" r="3.5"/>`,
				e+1, html.EscapeString(names[i]), at[i][e], x(at[i][e]), y(i))
		}
		color := colorNone
		if !reached {
			color = colorCut
		}
		fmt.Fprintf(&b, `<g class="event" data-event="%d" data-reached="%t" fill="%s" stroke="%s"><polyline points="%s" fill="none" stroke-width="2"/>%s</g>`,
			e+1, reached, color, color, strings.Join(pts, " "), dots.String())
	}
	for _, c := range tr.Cuts {
		i := indexOf(names, c.Hop)
		if i < 0 {
			continue
		}
		cx := x(c.AtMS)
		fmt.Fprintf(&b, `<g class="cut" data-hop="%s" data-ms="%.1f"><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/><text x="%.1f" y="%.1f" font-size="11" fill="%s">cut%s</text></g>`,
			html.EscapeString(c.Hop), c.AtMS, cx, cx, y(i)-14, y(i)+14, colorCut, cx+5, y(i)-4, colorCut, map[bool]string{true: " silently", false: ""}[c.Silent])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped names
}

// axisFor is the end and tick step of a time axis reaching top.
func axisFor(top time.Duration) (end, step time.Duration) {
	secs := max(top.Seconds()*1.03, 1)
	st := tickSteps[len(tickSteps)-1]
	for _, t := range tickSteps {
		if math.Ceil(secs/t) <= 10 {
			st = t
			break
		}
	}
	return time.Duration(math.Ceil(secs/st)*st) * time.Second, time.Duration(st) * time.Second
}

func indexOf(names []string, n string) int {
	for i, m := range names {
		if m == n {
			return i
		}
	}
	return -1
}

// latencyTable is each event's latency at each hop, in real time: what
// the hop added between the server behind it writing the event and its
// own writing it (the client: reading it). Past MaxLatency the event was
// held there; an event a hop never passed is cut there when it cut.
func latencyTable(pr Proof, tr *chainrun.Trace) ([]string, []latencyRow) {
	names, at := servers(tr)
	var cols []string
	for i := len(names) - 2; i >= 0; i-- {
		cols = append(cols, names[i])
	}
	cut := map[string]bool{}
	for _, c := range tr.Cuts {
		cut[c.Hop] = true
	}
	var rows []latencyRow
	for e := range len(tr.Origin.AtMS) {
		r := latencyRow{Event: e + 1, SentMS: fmt.Sprintf("%.1f", tr.Origin.AtMS[e]*max(pr.TimeScale, 1)/1000)}
		gone := false
		for i := len(names) - 2; i >= 0; i-- {
			c := latencyCell{Hop: names[i]}
			switch {
			case gone:
				c.Text, c.Class = "", "never"
			case e >= len(at[i]):
				c.Text, c.Class, gone = "never passed", "never", true
				if cut[names[i]] {
					c.Text, c.Class = "cut here", "cut"
				}
			default:
				d := at[i][e] - at[i+1][e]
				c.Text = fmt.Sprintf("%.1f ms", d)
				if time.Duration(d*float64(time.Millisecond)) > pr.MaxLatency {
					c.Class = "held"
					c.Text += " held"
				}
			}
			r.Cells = append(r.Cells, c)
		}
		rows = append(rows, r)
	}
	return cols, rows
}

var proofFuncs = template.FuncMap{"hopName": HopName, "cutColor": func() string { return colorCut }}

var proofPage = htmlpage.Must("proof", proofFuncs, `{{define "title"}}{{.Title}}{{end}}
{{- define "style"}}.ok { color: #1a7f37; } .bad { color: #cf222e; }
.strip, .lanes { display: block; margin: 8px 0 12px; max-width: 100%; height: auto; }
table.latency td, table.latency th { border-top: 1px solid #eaeef2; padding: 3px 14px 3px 0; font-variant-numeric: tabular-nums; }
td.held { color: #9a6700; font-weight: 600; } td.cut { color: #cf222e; font-weight: 600; } td.never { color: #8c959f; }
.hop-result { margin: 2px 0; }
{{end}}
{{- define "body"}}<h1>{{.Title}}</h1>
<p>Outcome: <strong class="{{if .OK}}ok{{else}}bad{{end}}" id="outcome" data-outcome="{{.Outcome}}">{{.Outcome}}</strong>{{with .Result.Error}}: {{.}}{{end}}</p>
<p>{{.Stream}}; clocks {{.TimeScale}}× faster. Request: {{.Request}}.</p>
{{.Strip}}
<ul>{{range .Result.Hops}}<li class="hop-result" data-hop="{{.Name}}" data-outcome="{{.Outcome}}"><b>{{hopName .Name}}</b>: {{.Behavior}}{{with .Cut}}; <span class="bad">cut: {{.Reason}}</span>{{end}}</li>{{end}}</ul>
{{- with .Notes}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Lanes}}<h2>Each event through each hop, on Azure's clock</h2>
<p>Time runs across; each event climbs from the origin to the client. A line straight up passed every hop at once; a slanted one was held at the hop where it leans; a red one stops at the hop that never passed it.</p>
{{.Lanes}}
<h2>Latency each hop added (real time)</h2>
<table class="latency"><thead><tr><th>Event</th><th>sent at (Azure's clock, s)</th>{{range .Columns}}<th>{{hopName .}}</th>{{end}}</tr></thead><tbody>
{{- range .Rows}}<tr class="event" data-event="{{.Event}}"><td>{{.Event}}</td><td>{{.SentMS}}</td>{{range .Cells}}<td class="{{.Class}}" data-hop="{{.Hop}}">{{.Text}}</td>{{end}}</tr>
{{end}}</tbody></table>
<p>Held: more than {{.MaxLatency}} between the server behind a hop writing the event and the hop writing it on.</p>{{end}}
{{end}}`)
