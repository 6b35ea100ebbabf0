package loadgen

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Charts are inline SVG, drawn here: the report fetches nothing and runs
// no script.
const (
	chartW, chartH                   = 640.0, 220.0
	padL, padR, padT, padB           = 56.0, 12.0, 12.0, 32.0
	plotW, plotH                     = chartW - padL - padR, chartH - padT - padB
	colorA, colorB, colorC, colorErr = "#1f6feb", "#d1242f", "#2da44e", "#bf8700"
)

// series is one line or one stack of bars.
type series struct {
	name, color string
	ys          []float64
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// frame draws the axes, the grid and their labels.
func frame(b *strings.Builder, kind, xLabel, yLabel string, xMax, yMax float64) {
	fmt.Fprintf(b, `<svg data-chart="%s" viewBox="0 0 %g %g" width="%g" height="%g" role="img" xmlns="http://www.w3.org/2000/svg">`,
		kind, chartW, chartH, chartW, chartH)
	for i := 0; i <= 4; i++ {
		y := padT + plotH - plotH*float64(i)/4
		fmt.Fprintf(b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#d0d7de"/>`, padL, padL+plotW, y, y)
		fmt.Fprintf(b, `<text x="%g" y="%.1f" text-anchor="end" font-size="11">%s</text>`, padL-4, y+4, num(yMax*float64(i)/4))
	}
	for i := 0; i <= 4; i++ {
		x := padL + plotW*float64(i)/4
		fmt.Fprintf(b, `<text x="%.1f" y="%g" text-anchor="middle" font-size="11">%s</text>`, x, padT+plotH+14, num(xMax*float64(i)/4))
	}
	fmt.Fprintf(b, `<text x="%g" y="%g" text-anchor="middle" font-size="11">%s</text>`, padL+plotW/2, chartH-2, html.EscapeString(xLabel))
	fmt.Fprintf(b, `<text x="12" y="%g" font-size="11" transform="rotate(-90 12 %g)" text-anchor="middle">%s</text>`,
		padT+plotH/2, padT+plotH/2, html.EscapeString(yLabel))
}

// legend names the series under the chart.
func legend(ss []series) template.HTML {
	var b strings.Builder
	b.WriteString(`<p class="legend">`)
	for _, s := range ss {
		fmt.Fprintf(&b, `<span><i style="background:%s"></i>%s</span>`, s.color, html.EscapeString(s.name))
	}
	b.WriteString(`</p>`)
	return template.HTML(b.String()) //nolint:gosec // names escaped above
}

// lineChart draws each series over the buckets; NaN leaves a gap.
func lineChart(kind, yLabel string, bucketS float64, ss []series) template.HTML {
	n, yMax := 0, 0.0
	for _, s := range ss {
		n = max(n, len(s.ys))
		for _, y := range s.ys {
			if !math.IsNaN(y) {
				yMax = max(yMax, y)
			}
		}
	}
	yMax = niceMax(yMax)
	xMax := float64(n) * bucketS
	var b strings.Builder
	frame(&b, kind, "seconds from the start", yLabel, xMax, yMax)
	for _, s := range ss {
		var d strings.Builder
		pen := "M"
		for i, y := range s.ys {
			if math.IsNaN(y) {
				pen = "M"
				continue
			}
			x := padL + plotW*(float64(i)+0.5)/float64(max(n, 1))
			fmt.Fprintf(&d, "%s%.1f %.1f ", pen, x, padT+plotH-plotH*y/yMax)
			pen = "L"
		}
		fmt.Fprintf(&b, `<path data-series="%s" d="%s" fill="none" stroke="%s" stroke-width="2"/>`,
			html.EscapeString(s.name), strings.TrimSpace(d.String()), s.color)
		// A lone point shows as a dot.
		for i, y := range s.ys {
			if !math.IsNaN(y) {
				x := padL + plotW*(float64(i)+0.5)/float64(max(n, 1))
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2" fill="%s"/>`, x, padT+plotH-plotH*y/yMax, s.color)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) + legend(ss) //nolint:gosec // built from numbers and escaped names
}

// barChart stacks the series' bars in each slot; xMax labels the x axis.
func barChart(kind, xLabel, yLabel string, xMax float64, ss []series) template.HTML {
	n, yMax := 0, 0.0
	for _, s := range ss {
		n = max(n, len(s.ys))
	}
	for i := 0; i < n; i++ {
		sum := 0.0
		for _, s := range ss {
			if i < len(s.ys) {
				sum += s.ys[i]
			}
		}
		yMax = max(yMax, sum)
	}
	yMax = niceMax(yMax)
	var b strings.Builder
	frame(&b, kind, xLabel, yLabel, xMax, yMax)
	w := plotW / float64(max(n, 1))
	for i := 0; i < n; i++ {
		base := 0.0
		for _, s := range ss {
			if i >= len(s.ys) || s.ys[i] == 0 {
				continue
			}
			h := plotH * s.ys[i] / yMax
			fmt.Fprintf(&b, `<rect data-series="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`,
				html.EscapeString(s.name), padL+w*float64(i)+0.5, padT+plotH-base-h, max(w-1, 0.5), h, s.color)
			base += h
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) + legend(ss) //nolint:gosec // built from numbers and escaped names
}
