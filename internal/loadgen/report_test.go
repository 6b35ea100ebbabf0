package loadgen

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/pagetest"
)

// The report of a run with latencies, first events, first content, cuts
// and open streams renders its five charts in Chromium with nothing on the
// console, and fetches nothing.
func TestReportRendersInChromium(t *testing.T) {
	lb := chainrun.Hop{Name: "load_balancer", Config: gateway.Config{Relay: &gateway.Relay{Clock: "idle", Idle: 300 * time.Millisecond}}}
	url := startChain(t, origin.Config{Events: 4, Interval: 50 * time.Millisecond, SilenceAfter: 3, Silence: 3 * time.Second}, lb)
	res := run(t, Options{URL: url, Streams: 60, Rate: 60, Events: 4})
	if res.Errors[KindCutBroken] == 0 || res.LatencyMS == nil {
		t.Fatalf("the run should have cuts and latencies: %v, %v", res.Errors, res.LatencyMS)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	var page bytes.Buffer
	if err := WriteReport(&page, res); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, page.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?i)(src|href)=|<script|@import|url\(`).Match(page.Bytes()) {
		t.Fatal("the report refers to something outside itself")
	}

	dom, console := pagetest.Headless(t, file, "--dump-dom")
	if len(console) > 0 {
		t.Fatalf("console messages:\n%s", strings.Join(console, "\n"))
	}
	for _, chart := range []string{"latency", "first-event", "first-content", "active", "errors"} {
		svg := regexp.MustCompile(`(?s)<svg data-chart="` + chart + `".*?</svg>`).Find(dom)
		if svg == nil {
			t.Fatalf("chart %s is not in the DOM", chart)
		}
		if !regexp.MustCompile(`<(path data-series="[^"]+" d="M|rect data-series)`).Match(svg) {
			t.Fatalf("chart %s has no series drawn:\n%s", chart, svg)
		}
	}
	if !bytes.Contains(dom, []byte(`data-series="cut_broken"`)) {
		t.Fatal("the errors chart has no cut_broken bars")
	}
	if !regexp.MustCompile(`<th>sse</th><td>60 streams, \d+ content events; first content p50`).Match(dom) {
		t.Fatal("the summary has no figures by protocol")
	}

	shot := filepath.Join(dir, "report.png")
	if _, console := pagetest.Headless(t, file, "--window-size=1400,2400", "--screenshot="+shot); len(console) > 0 {
		t.Fatalf("console messages:\n%s", strings.Join(console, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The bars are drawn in flat colours: the screenshot has them.
	seen := map[string]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			switch [3]uint32{r >> 8, g >> 8, bl >> 8} {
			case [3]uint32{0x1f, 0x6f, 0xeb}:
				seen[colorA]++
			case [3]uint32{0xd1, 0x24, 0x2f}:
				seen[colorB]++
			case [3]uint32{0x2d, 0xa4, 0x4e}:
				seen[colorC]++
			}
		}
	}
	if seen[colorA] < 200 || seen[colorB] < 200 || seen[colorC] < 20 {
		t.Fatalf("the screenshot %s lacks the charts' colours: %v", shot, seen)
	}
	t.Logf("screenshot: %s", shot)
}

// The console check sees what a broken page logs.
func TestConsoleCheckSeesErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.html")
	page := `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><img src="http://127.0.0.1:9/x.png">`
	if err := os.WriteFile(file, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, console := pagetest.Headless(t, file, "--dump-dom"); len(console) == 0 {
		t.Fatal("a blocked image logged nothing: the console check sees nothing")
	}
}

// The report says what the generator went through, and when it was the
// bottleneck it says so above the figures its delay is in.
func TestReportSaysWhenTheGeneratorWasTheBottleneck(t *testing.T) {
	for _, tt := range []struct {
		name string
		g    Generator
		want []string
		not  []string
	}{
		{"kept up", Generator{Cores: 2, CPUUtilization: 0.3, ReadLagP99MS: 0.4, ReadLagReads: 100, SchedLatencyP99MS: 0.2},
			[]string{"<th>generator</th><td>30% of 2 cores; its reads lagged p99 0.40 ms behind their sockets; scheduling latency p99 0.20 ms</td>"},
			[]string{"data-generator"}},
		{"lagged", Generator{Cores: 2, CPUUtilization: 0.4, ReadLagP99MS: 8.5, ReadLagReads: 100},
			[]string{`data-generator="saturated">Warning: the load generator itself was a bottleneck: its reads lagged up to 8.50 ms (p99)`}, nil},
		{"not measured", Generator{Cores: 4, CPUUtilization: 0.1},
			[]string{"<th>generator</th><td>10% of 4 cores; scheduling latency p99 0.00 ms</td>"}, []string{"its reads lagged"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := &Result{Target: "http://127.0.0.1/", Generator: tt.g, Timeline: Timeline{BucketS: 1}}
			res.Generator.judge()
			var page bytes.Buffer
			if err := WriteReport(&page, res); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(page.String(), w) {
					t.Errorf("the report lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(page.String(), n) {
					t.Errorf("the report has %q", n)
				}
			}
		})
	}
}
