package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/pagetest"
)

// prove --report on examples/reports/chain.json: API Management's
// forward-request buffers, so the events the origin sent never leave it,
// and the App Gateway's 20 s request timeout cuts the silent stream. The
// page shows the lanes in the path's order, every event stopping at API
// Management, the cut on the App Gateway's lane, and the table says so.
func TestProveReportInChromium(t *testing.T) {
	dir := reportDir(t)
	page := filepath.Join(dir, "prove.html")
	code, out, stderr := runCLI(t, "", "prove", "--chain", "../../examples/reports/chain.json", "--report", page)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	readPage(t, page)
	dom := pagetest.DOM(t, page)
	if !bytes.Contains(dom, []byte(`data-outcome="cut"`)) {
		t.Error("the outcome is not cut")
	}
	var lanes []string
	for _, m := range regexp.MustCompile(`<g class="lane" data-hop="([a-z_]+)"`).FindAllSubmatch(dom, -1) {
		lanes = append(lanes, string(m[1]))
	}
	if want := []string{"client", "front_door", "app_gateway", "apim", "load_balancer", "container_apps", "origin"}; !slices.Equal(lanes, want) {
		t.Errorf("lanes %v, want %v", lanes, want)
	}
	cut := regexp.MustCompile(`<g class="cut" data-hop="app_gateway" data-ms="([\d.]+)">`).FindSubmatch(dom)
	if cut == nil {
		t.Fatal("no cut on the App Gateway's lane")
	}
	cutMS, _ := strconv.ParseFloat(string(cut[1]), 64)
	events := regexp.MustCompile(`(?s)<g class="event" data-event="(\d+)" data-reached="(true|false)".*?</g>`).FindAllSubmatch(dom, -1)
	if len(events) == 0 {
		t.Fatal("no event drawn")
	}
	sentAt := regexp.MustCompile(`data-hop="origin" data-ms="([\d.]+)"`)
	for _, e := range events {
		// Each event passed the origin and never API Management; one
		// sent well before the cut passed the hops behind API Management
		// too. The chain's third event goes out as the App Gateway's
		// timeout fires (20 s on Azure's clock, a third of a second
		// here), so the cut may close the path before it gets through.
		m := sentAt.FindSubmatch(e[0])
		if string(e[2]) != "false" || m == nil || bytes.Contains(e[0], []byte(`data-hop="apim"`)) {
			t.Errorf("event %s: %s", e[1], e[0])
			continue
		}
		if sent, _ := strconv.ParseFloat(string(m[1]), 64); sent < cutMS-50 && !bytes.Contains(e[0], []byte(`data-hop="load_balancer"`)) {
			t.Errorf("event %s, sent %.1f ms before the cut, did not pass the load balancer: %s", e[1], cutMS-sent, e[0])
		}
	}
	if !regexp.MustCompile(`<td class="never" data-hop="apim">never passed</td>`).Match(dom) {
		t.Error("the table does not say events never passed API Management")
	}
	if !regexp.MustCompile(`<g class="hop" data-hop="apim" data-worst="error">`).Match(dom) {
		t.Error("the strip does not mark API Management, which held the events")
	}
	img := pagetest.Screenshot(t, page, filepath.Join(dir, "prove.png"), 1300, 1000)
	if seen := pagetest.Pixels(img, "#cf222e"); seen["#cf222e"] < 100 {
		t.Errorf("%d red pixels: no held events or cut drawn", seen["#cf222e"])
	}
}
