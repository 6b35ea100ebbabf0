package pathview

import (
	"fmt"
	"html/template"
	"io"

	"github.com/sseready/terraform-provider-sseready/internal/htmlpage"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Write writes the page: each path drawn hop by hop, the APIs that stream
// first and those that do not apart, one self-contained document.
func Write(w io.Writer, pg Page) error {
	first, apart := pg.Split()
	v := pageView{Page: pg, Summary: pg.Summary()}
	for i, p := range first {
		v.First = append(v.First, viewOf(p, fmt.Sprintf("p%d", i+1)))
	}
	for i, p := range apart {
		v.Apart = append(v.Apart, viewOf(p, fmt.Sprintf("n%d", i+1)))
	}
	return page.Execute(w, v)
}

type pageView struct {
	Page
	Summary      string
	First, Apart []pathView
}

type pathView struct {
	Path
	ID      string
	Ready   bool
	Verdict string
	Strip   template.HTML
	Axis    template.HTML
	Hops    []hopView
}

type hopView struct {
	Hop
	Name  string
	Chart template.HTML
}

func viewOf(p Path, id string) pathView {
	v := pathView{Path: p, ID: id, Ready: p.Ready(), Strip: strip(p)}
	switch p.Streaming {
	case "yes":
		v.Verdict = "streams"
	case "no":
		v.Verdict = "does not stream"
	case "unknown":
		v.Verdict = "may stream"
	}
	scale, step := clockScale(p)
	has := false
	for _, h := range p.Hops {
		hv := hopView{Hop: h, Name: HopName(h.Key), Chart: clockChart(h.Key, h.Clocks, p.Stream, scale)}
		has = has || hv.Chart != ""
		v.Hops = append(v.Hops, hv)
	}
	if has {
		v.Axis = clockAxis(p.Stream, scale, step)
	}
	return v
}

var funcs = template.FuncMap{
	"fix": func(id string) string {
		if r, ok := rules.Lookup(id); ok {
			return r.Fix
		}
		return ""
	},
	"where": func(f report.Finding) string { return f.Where() },
	"dur":   Dur,
	"colors": func() map[string]string {
		return map[string]string{"cut": colorCut, "tight": colorTight, "ok": colorOK, "reset": colorReset, "total": colorTotal,
			"none": colorNone, "gap": colorGap, "beat": colorBeat}
	},
}

var page = htmlpage.Must("pathview", funcs, `{{define "title"}}{{.Title}}{{end}}
{{- define "style"}}.summary { font-size: 15px; }
.ready { color: #1a7f37; } .not-ready { color: #cf222e; }
section.path { border-top: 1px solid #d0d7de; margin-top: 24px; }
section.path h2 small, .verdict { font-weight: normal; color: #57606a; }
.strip { display: block; margin: 8px 0 12px; max-width: 100%; height: auto; }
table.hops { width: 100%; }
table.hops > tbody > tr > * { border-top: 1px solid #eaeef2; vertical-align: top; padding: 6px 12px 6px 0; }
table.hops th.hop { width: 190px; } table.hops td.clock { width: 370px; }
.resource, .where, .policy-name { font-family: ui-monospace, monospace; font-size: 12px; color: #57606a; overflow-wrap: anywhere; }
ul.findings, ol.pipeline { margin: 0; padding-left: 18px; }
li.finding { margin-bottom: 4px; }
.sev { display: inline-block; min-width: 58px; font-size: 12px; font-weight: 600; }
.sev-error .sev { color: #cf222e; } .sev-warning .sev { color: #9a6700; } .sev-info .sev { color: #0969da; } .sev-accepted .sev { color: #57606a; }
.fix { color: #1a7f37; font-size: 13px; }
.element { display: inline-block; margin: 1px 4px 1px 0; padding: 0 6px; border-radius: 10px; font-family: ui-monospace, monospace; font-size: 12px; background: #eaeef2; }
.element.sev-error { background: #ffebe9; color: #a40e26; border: 1px solid #cf222e; } .element.sev-warning { background: #fff8c5; color: #7d4e00; }
.scope { font-weight: 600; } .empty { color: #57606a; }
.stream-note { color: #57606a; font-size: 13px; }
details.apart summary { cursor: default; font-weight: 600; margin-top: 12px; }
{{end}}
{{- define "finding"}}<li class="finding sev-{{.Severity}}" data-rule="{{.Rule}}" data-severity="{{.Severity}}"><span class="sev">{{.Severity}}</span> <b>{{.Rule}}</b> {{.Message}}{{with .Reason}} (accepted: {{.}}){{end}} <span class="where">{{where .}}</span>{{with fix .Rule}}<div class="fix">Fix: {{.}}</div>{{end}}</li>{{end}}
{{- define "path"}}<section class="path" id="{{.ID}}" data-path="{{.Name}}" data-streaming="{{.Streaming}}" data-ready="{{.Ready}}">
<h2>{{.Name}}{{with .API}} <small>({{.}})</small>{{end}}: <span class="{{if .Ready}}ready{{else}}not-ready{{end}}">{{if .Ready}}ready{{else}}not ready{{end}}</span>{{with .Verdict}}<span class="verdict">; {{.}}{{with $.StreamingEvidence}}: {{index . 0}}{{end}}</span>{{end}}</h2>
{{.Strip}}
<p class="stream-note">{{if .Stream.MaxEventGap}}The stream: silent for up to {{dur .Stream.MaxEventGap}} between events (black dashes){{if .Stream.Heartbeat}}, a heartbeat every {{dur .Stream.Heartbeat}} (green dashes){{else}}, no heartbeat{{end}}{{if .Stream.MaxTimeToHeaders}}, headers within {{dur .Stream.MaxTimeToHeaders}} (purple dashes){{end}}: each clock sees the longest silence on the wire.{{else}}The stream's silence is not given: {{.Stream.Missing}}.{{end}}</p>
<table class="hops"><thead><tr><th>Hop</th><th>Clock{{with .Axis}}<br>{{.}}{{end}}</th><th>Findings</th></tr></thead><tbody>
{{- range .Hops}}
<tr class="hop" data-hop="{{.Key}}"><th class="hop">{{.Name}}{{with .Resource}}<div class="resource">{{.}}</div>{{end}}</th>
<td class="clock">{{.Chart}}</td>
<td>{{if .Policies}}<ol class="pipeline">{{range .Policies}}<li class="policy" data-scope="{{.Scope}}"><span class="scope">{{.Scope}}</span> <span class="policy-name">{{.Name}}</span><br>{{range .Findings}}<span class="element sev-{{.Severity}}" data-rule="{{.Rule}}">{{with .Element}}&lt;{{.}}&gt;{{else}}{{.Setting}}{{end}} {{.Rule}}</span>{{else}}<span class="empty">nothing found</span>{{end}}</li>{{end}}</ol>
{{- $any := false}}{{range .Policies}}{{if .Findings}}{{$any = true}}{{end}}{{end}}{{if $any}}<ul class="findings">{{range .Policies}}{{range .Findings}}{{template "finding" .}}{{end}}{{end}}</ul>{{end}}{{end}}
{{- with .Findings}}<ul class="findings">{{range .}}{{template "finding" .}}{{end}}</ul>{{end}}</td></tr>
{{- end}}
</tbody></table>
{{- with .Problems}}<h3>Input errors</h3><ul>{{range .}}<li class="problem">{{.Where}}: {{.Message}}</li>{{end}}</ul>{{end}}
{{- with .Unknown}}<p>Not known until apply: {{range $i, $u := .}}{{if $i}}, {{end}}<code>{{$u}}</code>{{end}}.</p>{{end}}
{{- with .Notes}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
</section>
{{end}}
{{- define "body"}}<h1>{{.Title}}</h1>
<p class="summary">{{.Summary}}.</p>
<p class="legend"><span><i style="background:{{index colors "cut"}}"></i>clock the silence reaches</span><span><i style="background:{{index colors "tight"}}"></i>within a quarter of its limit</span><span><i style="background:{{index colors "ok"}}"></i>room to spare</span><span><i style="background:{{index colors "reset"}}"></i>reset by TCP keepalive</span><span><i style="background:{{index colors "total"}}"></i>cuts every response</span><span><i style="background:{{index colors "none"}}"></i>no silence given</span></p>
{{- with .Problems}}<h2>Input errors</h2><ul>{{range .}}<li class="problem">{{.Where}}: {{.Message}}</li>{{end}}</ul>{{end}}
{{- range .First}}{{template "path" .}}{{end}}
{{- with .Apart}}<h2 id="apart">APIs that do not stream</h2>
<p>Their findings are info: nothing on their paths says they stream (--stream-api NAME, or --streaming all, holds them to every rule).</p>
{{range .}}<details class="apart"><summary>{{.Name}}</summary>{{template "path" .}}</details>{{end}}{{end}}
{{- with .Loose}}<h2 id="loose">On no request path</h2><ul class="findings">{{range .}}{{template "finding" .}}{{end}}</ul>{{end}}
{{- with .Notes}}<h2>Notes</h2><ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{end}}`)
