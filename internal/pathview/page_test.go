package pathview

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/pagetest"
)

// updateExamples writes the pages and their screenshots under examples/
// (SSEREADY_UPDATE_EXAMPLES=1 go test ./internal/pathview): look at them
// before committing.
var updateExamples = os.Getenv("SSEREADY_UPDATE_EXAMPLES") == "1"

// chainPath reads a chain file as check-chain does and checks it.
func chainPath(t *testing.T, file string) Path {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := plain.FromJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	c, errs := chaincheck.Decode(v)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	res, errs := chaincheck.Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var fs []report.Finding
	for _, f := range res.Findings {
		rf := report.FromRule(f)
		rf.File = file
		fs = append(fs, rf)
	}
	return FromChain(file, &c, fs)
}

// writePage writes the page to dir/name.html, and checks it refers to
// nothing outside itself.
func writePage(t *testing.T, dir, name string, pg Page) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, pg); err != nil {
		t.Fatal(err)
	}
	pagetest.SelfContained(t, b.Bytes())
	file, err := filepath.Abs(filepath.Join(dir, name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// attrs are the values of attr in the order the elements matching re
// (with one group, the element's tag) come in dom.
func attrs(dom []byte, re string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllSubmatch(dom, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The chain of examples/reports renders in Chromium with nothing on the
// console: its hops in the order a request meets them, the App Gateway's
// 20 s clock as a bar a third as long as the 60 s silence and marked as
// cut, each finding in its hop's row, the buffering forward-request in the
// API's policy.
func TestChainPageInChromium(t *testing.T) {
	dir := t.TempDir()
	if updateExamples {
		dir = "../../examples/reports"
	}
	p := chainPath(t, "../../examples/reports/chain.json")
	file := writePage(t, dir, "check-chain", Page{Title: "sseready check-chain: examples/reports/chain.json", Paths: []Path{p}})
	dom := pagetest.DOM(t, file)

	want := []string{"client", "front_door", "app_gateway", "apim", "load_balancer", "container_apps", "backend"}
	if got := attrs(dom, `<g class="hop" data-hop="([a-z_]+)"`); !slices.Equal(got, want) {
		t.Errorf("the strip draws %v, want %v", got, want)
	}
	if got := attrs(dom, `<tr class="hop" data-hop="([a-z_]+)"`); !slices.Equal(got, want) {
		t.Errorf("the rows are %v, want %v", got, want)
	}

	// The App Gateway's bar against the silence's marker, on one scale.
	row := regexp.MustCompile(`(?s)<tr class="hop" data-hop="app_gateway">.*?</tr>`).Find(dom)
	bar := regexp.MustCompile(`<rect class="clock" data-hop="app_gateway" data-limit-ms="(\d+)" data-judgement="([a-z-]+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"`).FindSubmatch(row)
	gap := regexp.MustCompile(`<line class="gap" data-ms="(\d+)" x1="([\d.]+)"`).FindSubmatch(row)
	if bar == nil || gap == nil {
		t.Fatalf("no clock bar or silence marker in the App Gateway's row:\n%s", row)
	}
	if string(bar[1]) != "20000" || string(bar[2]) != JudgeCut || string(gap[1]) != "60000" {
		t.Errorf("bar %s ms judged %s, silence %s ms", bar[1], bar[2], gap[1])
	}
	x0 := number(t, string(bar[3]))
	ratio := number(t, string(bar[4])) / (number(t, string(gap[2])) - x0)
	if math.Abs(ratio-20.0/60) > 0.005 {
		t.Errorf("the 20 s bar is %.3f of the 60 s silence's length, want 1/3", ratio)
	}
	// Front Door's 120 s clock has room over 60 s of silence.
	if j := attrs(dom, `data-hop="front_door" data-limit-ms="120000" data-judgement="([a-z-]+)"`); !slices.Equal(j, []string{JudgeOK}) {
		t.Errorf("front door's clock judged %v", j)
	}

	// Each finding in its hop's row; the buffering element in its policy.
	for hop, rule := range map[string]string{"app_gateway": rules.AppGWRequestTimeout, "apim": rules.ForwardRequestBuffers} {
		row := regexp.MustCompile(`(?s)<tr class="hop" data-hop="` + hop + `">.*?</tr>`).Find(dom)
		if !bytes.Contains(row, []byte(`<li class="finding sev-error" data-rule="`+rule+`"`)) {
			t.Errorf("%s is not in %s's row:\n%s", rule, hop, row)
		}
	}
	api := regexp.MustCompile(`(?s)<li class="policy" data-scope="api">.*?</li>`).Find(dom)
	if !bytes.Contains(api, []byte(`<span class="element sev-error" data-rule="SSE101">&lt;forward-request&gt; SSE101</span>`)) {
		t.Errorf("the api policy does not show its buffering forward-request:\n%s", api)
	}
	if global := regexp.MustCompile(`(?s)<li class="policy" data-scope="global">.*?</li>`).Find(dom); !bytes.Contains(global, []byte("nothing found")) {
		t.Errorf("the global policy:\n%s", global)
	}
	if !bytes.Contains(dom, []byte(`Fix: `)) {
		t.Error("no fix is shown")
	}

	shot := filepath.Join(dir, "check-chain.png")
	img := pagetest.Screenshot(t, file, shot, 1400, 1100)
	seen := pagetest.Pixels(img, colorCut, colorOK)
	if seen[colorCut] < 200 || seen[colorOK] < 200 {
		t.Fatalf("the screenshot %s lacks the clocks' colours: %v", shot, seen)
	}
	t.Logf("screenshot: %s", shot)
}
