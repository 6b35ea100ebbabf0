package pathview

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Colours: the same flat colours in the SVG and the page's styles, so a
// screenshot can be read for them.
const (
	colorCut   = "#cf222e" // a clock the silence reaches; an error
	colorTight = "#bf8700" // within a quarter of its limit; a warning
	colorOK    = "#1a7f37" // room to spare
	colorReset = "#8c959f" // reset by TCP keepalive
	colorTotal = "#8250df" // cuts every response after its limit
	colorNone  = "#1f6feb" // no silence given to judge it against
	colorGap   = "#1f2328" // the longest silence between events
	colorBeat  = "#2da44e" // the heartbeat
)

// Judgements of a clock against the stream's silence.
const (
	JudgeCut     = "cut"
	JudgeTight   = "tight"
	JudgeOK      = "ok"
	JudgeReset   = "reset"
	JudgeTotal   = "total"
	JudgeUnknown = "unknown"
	JudgeNoGap   = "no-silence"
)

// Judge says how a clock stands against the longest silence it sees, as
// the chain check judges it: at or past the limit the stream is cut, past
// three quarters of it the margin is thin.
func Judge(c chaincheck.HopClock, silence time.Duration) string {
	switch {
	case !c.Known:
		return JudgeUnknown
	case c.Total:
		return JudgeTotal
	case c.KeepaliveResets:
		return JudgeReset
	case silence == 0:
		return JudgeNoGap
	case silence >= c.Limit:
		return JudgeCut
	case silence > c.Limit*3/4:
		return JudgeTight
	}
	return JudgeOK
}

var judgeColors = map[string]string{JudgeCut: colorCut, JudgeTight: colorTight, JudgeOK: colorOK, JudgeReset: colorReset,
	JudgeTotal: colorTotal, JudgeNoGap: colorNone}

var judgeWords = map[string]string{
	JudgeCut: "the silence reaches it: cut", JudgeTight: "within a quarter of its limit", JudgeOK: "room to spare",
	JudgeReset: "reset by TCP keepalive", JudgeTotal: "cuts every response after this long", JudgeNoGap: "no silence given to judge it",
	JudgeUnknown: "not set, and its default is not in sseready's sources",
}

// Geometry of the clock bars: one scale for every hop of a path.
const (
	clockW, clockX0, clockX1 = 360.0, 6.0, 350.0
	clockRow, clockBar       = 30.0, 11.0
)

// tickSteps are the steps the clock axis may mark, in seconds.
var tickSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}

// clockScale is the axis's end for a path, past its longest clock and
// silence, and the step of its ticks: at most six, each a round length.
func clockScale(p Path) (scale, step time.Duration) {
	top := max(p.Stream.MaxEventGap, p.Stream.Heartbeat, p.Stream.MaxTimeToHeaders)
	for _, h := range p.Hops {
		for _, c := range h.Clocks {
			top = max(top, c.Limit)
		}
	}
	secs := max(top.Seconds()*1.05, 1)
	st := tickSteps[len(tickSteps)-1]
	for _, t := range tickSteps {
		if math.Ceil(secs/t) <= 6 {
			st = t
			break
		}
	}
	n := math.Ceil(secs / st)
	return time.Duration(n*st) * time.Second, time.Duration(st) * time.Second
}

func xOf(d, scale time.Duration) float64 {
	return clockX0 + (clockX1-clockX0)*float64(d)/float64(scale)
}

// Dur writes a duration as people write it: 4m, 90s, 1m30s, 250ms.
func Dur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// markers draws the stream's silences across a clock chart of height h:
// the longest silence between events, the heartbeat, the wait for headers.
func markers(b *strings.Builder, s Stream, scale time.Duration, h float64) {
	for _, m := range []struct {
		class, color string
		d            time.Duration
	}{
		{"gap", colorGap, s.MaxEventGap},
		{"heartbeat", colorBeat, s.Heartbeat},
		{"headers", colorTotal, s.MaxTimeToHeaders},
	} {
		if m.d <= 0 {
			continue
		}
		x := xOf(m.d, scale)
		fmt.Fprintf(b, `<line class="%s" data-ms="%d" x1="%.1f" x2="%.1f" y1="0" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`,
			m.class, m.d.Milliseconds(), x, x, h, m.color)
	}
}

// clockChart draws a hop's clocks as bars on the path's scale, with the
// stream's silences across them.
func clockChart(hop string, cs []chaincheck.HopClock, s Stream, scale time.Duration) template.HTML {
	if len(cs) == 0 {
		return ""
	}
	h := clockRow*float64(len(cs)) + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="clocks" data-hop="%s" viewBox="0 0 %g %g" width="%g" height="%g" role="img" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(hop), clockW, h, clockW, h)
	silence := s.Silence()
	for i, c := range cs {
		// Each clock: its label, then its bar under it.
		y := 2 + clockRow*float64(i)
		by := y + 14
		j := Judge(c, silence)
		label := c.Name
		if c.Known {
			label = Dur(c.Limit) + " " + c.Name
			if c.Default {
				label += " (default)"
			}
			w := xOf(c.Limit, scale) - clockX0
			fmt.Fprintf(&b, `<rect class="clock" data-hop="%s" data-limit-ms="%d" data-judgement="%s" x="%g" y="%.1f" width="%.2f" height="%g" fill="%s"><title>%s</title></rect>`,
				html.EscapeString(hop), c.Limit.Milliseconds(), j, clockX0, by, w, clockBar, judgeColors[j], html.EscapeString(label+": "+judgeWords[j]))
		} else {
			label += ": " + judgeWords[j]
			fmt.Fprintf(&b, `<rect class="clock" data-hop="%s" data-judgement="%s" x="%g" y="%.1f" width="%g" height="%g" fill="none" stroke="%s" stroke-dasharray="3 3"/>`,
				html.EscapeString(hop), j, clockX0, by, clockX1-clockX0, clockBar, colorReset)
		}
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="11" fill="#1f2328">%s</text>`, clockX0, y+10, html.EscapeString(label))
	}
	markers(&b, s, scale, h)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text
}

// clockAxis draws the axis over the clock column, with the legend of the
// stream's silences.
func clockAxis(s Stream, scale, step time.Duration) template.HTML {
	const h = 30.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="axis" data-scale-ms="%d" viewBox="0 0 %g %g" width="%g" height="%g" role="img" xmlns="http://www.w3.org/2000/svg">`,
		scale.Milliseconds(), clockW, h, clockW, h)
	for d := time.Duration(0); d <= scale; d += step {
		x := xOf(d, scale)
		anchor := "middle"
		switch {
		case d == 0:
			anchor = "start"
		case d+step > scale:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#8c959f"/><text x="%.1f" y="%g" font-size="11" text-anchor="%s">%s</text>`,
			x, x, h-6, h, x, h-9, anchor, Dur(d))
	}
	markers(&b, s, scale, h)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers only
}

// Geometry of the path strip.
const (
	boxW, boxH, boxGap, stripPad = 132.0, 54.0, 30.0, 4.0
)

var sevColors = map[rules.Severity][2]string{
	rules.Error:    {"#ffebe9", colorCut},
	rules.Warning:  {"#fff8c5", colorTight},
	rules.Info:     {"#ddf4ff", colorNone},
	rules.Accepted: {"#f6f8fa", colorReset},
	"":             {"#dafbe1", colorOK},
}

// strip draws the path as a row of hops, client to backend, each marked
// with its worst finding.
func strip(p Path) template.HTML {
	n := float64(len(p.Hops))
	w := stripPad*2 + n*boxW + (n-1)*boxGap
	h := boxH + stripPad*2
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="strip" viewBox="0 0 %g %g" width="%g" height="%g" role="img" xmlns="http://www.w3.org/2000/svg">`, w, h, w, h)
	for i, hop := range p.Hops {
		x := stripPad + float64(i)*(boxW+boxGap)
		y := stripPad
		sev := hop.Worst()
		col := sevColors[sev]
		if (hop.Key == HopClient) && sev == "" {
			col = [2]string{"#f6f8fa", colorReset}
		}
		errs, warns := 0, 0
		for _, f := range (Path{Hops: []Hop{hop}}).Findings() {
			switch f.Severity {
			case rules.Error:
				errs++
			case rules.Warning:
				warns++
			}
		}
		status := "ok"
		switch {
		case errs > 0:
			status = fmt.Sprintf("%d %s", errs, plural(errs, "error", "errors"))
		case warns > 0:
			status = fmt.Sprintf("%d %s", warns, plural(warns, "warning", "warnings"))
		case hop.Key == HopClient:
			status = ""
		}
		if hop.Mark != "" {
			status, sev = hop.Mark, hop.MarkSeverity
			col = sevColors[sev]
		}
		fmt.Fprintf(&b, `<g class="hop" data-hop="%s" data-worst="%s"><rect x="%.1f" y="%.1f" width="%g" height="%g" rx="6" fill="%s" stroke="%s" stroke-width="2"/>`,
			html.EscapeString(hop.Key), sev, x, y, boxW, boxH, col[0], col[1])
		lines := splitName(HopName(hop.Key))
		for k, line := range lines {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" font-weight="600" text-anchor="middle">%s</text>`,
				x+boxW/2, y+17+float64(k)*14-float64(len(lines)-1)*5, html.EscapeString(line))
		}
		if status != "" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="%s">%s</text>`, x+boxW/2, y+boxH-7, col[1], status)
		}
		b.WriteString(`</g>`)
		if i < len(p.Hops)-1 {
			ax, ay := x+boxW+3, y+boxH/2
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#57606a" stroke-width="2"/><polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="#57606a"/>`,
				ax, ax+boxGap-12, ay, ay, ax+boxGap-6, ay, ax+boxGap-13, ay-5, ax+boxGap-13, ay+5)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text
}

// splitName breaks a long hop name into two lines at the space nearest
// its middle.
func splitName(s string) []string {
	if len(s) <= 18 {
		return []string{s}
	}
	best := -1
	for i, c := range s {
		if c == ' ' && (best < 0 || abs(i-len(s)/2) < abs(best-len(s)/2)) {
			best = i
		}
	}
	if best < 0 {
		return []string{s}
	}
	return []string{s[:best], s[best+1:]}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
