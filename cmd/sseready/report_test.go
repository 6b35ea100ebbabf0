package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/pathview"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/pagetest"
)

// reportDir is where a test writes its pages: the test's directory, or
// examples/reports with SSEREADY_UPDATE_EXAMPLES=1 (look at them before
// committing).
func reportDir(t *testing.T) string {
	t.Helper()
	if os.Getenv("SSEREADY_UPDATE_EXAMPLES") == "1" {
		dir, err := filepath.Abs("../../examples/reports")
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// readPage reads a page the command wrote and checks it refers to
// nothing outside itself.
func readPage(t *testing.T, file string) []byte {
	t.Helper()
	page, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pagetest.SelfContained(t, page)
	return page
}

var (
	sectionRe = regexp.MustCompile(`(?s)<section class="path" id="[a-z0-9]+" data-path="([^"]*)" data-streaming="([a-z]*)".*?</section>`)
	hopRe     = regexp.MustCompile(`<g class="hop" data-hop="([a-z_]+)"`)
)

// sections are the drawn paths in the DOM's order: name, verdict, HTML.
func sections(dom []byte) (names, verdicts []string, bodies [][]byte) {
	for _, m := range sectionRe.FindAllSubmatch(dom, -1) {
		names, verdicts, bodies = append(names, string(m[1])), append(verdicts, string(m[2])), append(bodies, m[0])
	}
	return names, verdicts, bodies
}

// hopRow is a hop's row in a drawn path.
func hopRow(t *testing.T, section []byte, hop string) []byte {
	t.Helper()
	row := regexp.MustCompile(`(?s)<tr class="hop" data-hop="` + hop + `">.*?</tr>`).Find(section)
	if row == nil {
		t.Fatalf("no %s row in\n%s", hop, section)
	}
	return row
}

// check-plan --report: the API that streams first, the one that may
// next, the one that does not apart; each path's hops in the order a
// request meets them; Front Door's 16 s clock a bar 16/20 of the 20 s
// heartbeat's length (the silence its clock sees), cut; each finding at
// its hop, the global policy's in the global row; nothing on the console.
func TestCheckPlanReportInChromium(t *testing.T) {
	plan := planFile(t, "plan.json", planShow(t, "plan", "apis", ""))
	dir := reportDir(t)
	page := filepath.Join(dir, "check-plan.html")
	// From the plan's directory, as a pipeline runs it: the page names
	// plan.json. (Not parallel: the directory is the process's.)
	t.Chdir(filepath.Dir(plan))
	code, _, stderr := runCLI(t, "", append([]string{"check-plan", "--report", page, "plan.json"}, planStream...)...)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	readPage(t, page)
	dom := pagetest.DOM(t, page)
	names, verdicts, bodies := sections(dom)
	if !slices.Equal(verdicts, []string{"yes", "unknown", "no"}) || !strings.Contains(names[0], "api chat") {
		t.Fatalf("paths %q with verdicts %q: want the streaming API first, the one that does not last", names, verdicts)
	}
	if apart := bytes.Index(dom, []byte(`<h2 id="apart">`)); apart < bytes.Index(dom, bodies[1]) || apart > bytes.Index(dom, bodies[2]) {
		t.Error("the API that does not stream is not listed apart")
	}
	chat := bodies[0]
	var hops []string
	for _, m := range hopRe.FindAllSubmatch(chat, -1) {
		hops = append(hops, string(m[1]))
	}
	order := []string{"client", "front_door", "app_gateway", "app_gateway_for_containers", "apim", "load_balancer", "container_apps", "app_service", "azure_openai", "backend"}
	if len(hops) < 4 || hops[0] != "client" || hops[len(hops)-1] != "backend" || !slices.Contains(hops, "front_door") || !slices.Contains(hops, "apim") ||
		!slices.IsSortedFunc(hops, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) }) {
		t.Errorf("hops %v, want client, Front Door, API Management ... backend in the order a request meets them", hops)
	}

	fd := hopRow(t, chat, "front_door")
	bar := regexp.MustCompile(`<rect class="clock" data-hop="front_door" data-limit-ms="16000" data-judgement="cut" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"`).FindSubmatch(fd)
	beat := regexp.MustCompile(`<line class="heartbeat" data-ms="20000" x1="([\d.]+)"`).FindSubmatch(fd)
	if bar == nil || beat == nil {
		t.Fatalf("Front Door's row has no 16 s clock judged cut, or no 20 s heartbeat:\n%s", fd)
	}
	x0, _ := strconv.ParseFloat(string(bar[1]), 64)
	w, _ := strconv.ParseFloat(string(bar[2]), 64)
	bx, _ := strconv.ParseFloat(string(beat[1]), 64)
	if r := w / (bx - x0); math.Abs(r-16.0/20) > 0.005 {
		t.Errorf("the 16 s bar is %.3f of the 20 s heartbeat's length, want 0.8", r)
	}
	if !bytes.Contains(fd, []byte(`data-rule="SSE404"`)) || !bytes.Contains(fd, []byte("azurerm_cdn_frontdoor_profile.main")) {
		t.Errorf("Front Door's row lacks its finding or its resource:\n%s", fd)
	}
	global := regexp.MustCompile(`(?s)<li class="policy" data-scope="global">.*?</li>`).Find(hopRow(t, chat, "apim"))
	if !bytes.Contains(global, []byte("azurerm_api_management_policy.global")) || !bytes.Contains(global, []byte(`data-rule="SSE101">&lt;forward-request&gt; SSE101`)) {
		t.Errorf("the global policy does not show its buffering forward-request:\n%s", global)
	}

	img := pagetest.Screenshot(t, page, filepath.Join(dir, "check-plan.png"), 1400, 1600)
	if seen := pagetest.Pixels(img, "#cf222e"); seen["#cf222e"] < 200 {
		t.Errorf("the screenshot has %d red pixels: no clock or finding marked", seen["#cf222e"])
	}
}

// lint DIR --report: every request path of the tree through API
// Management, the streaming API first, each finding in the policy row of
// the file that holds it.
func TestLintReportInChromium(t *testing.T) {
	dir := reportDir(t)
	page := filepath.Join(dir, "lint.html")
	code, _, stderr := runCLI(t, "", "lint", "--report", page, "testdata/apiops/gate")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	readPage(t, page)
	dom := pagetest.DOM(t, page)
	names, verdicts, bodies := sections(dom)
	if len(verdicts) < 3 || verdicts[0] != "yes" || verdicts[len(verdicts)-1] != "no" ||
		!slices.IsSortedFunc(verdicts, func(a, b string) int { return rank(a) - rank(b) }) {
		t.Fatalf("paths %q, verdicts %q: the streaming ones first, those that do not last", names, verdicts)
	}
	found := false
	for i, b := range bodies {
		var hops []string
		for _, m := range hopRe.FindAllSubmatch(b, -1) {
			hops = append(hops, string(m[1]))
		}
		if !slices.Equal(hops, []string{"client", "apim", "backend"}) {
			t.Errorf("%s: hops %v", names[i], hops)
		}
		if !strings.Contains(names[i], "api echo-api") {
			continue
		}
		api := regexp.MustCompile(`(?s)<li class="policy" data-scope="api">.*?</li>`).Find(hopRow(t, b, "apim"))
		if bytes.Contains(api, []byte("apis/echo-api/policy.xml")) && bytes.Contains(api, []byte(`data-rule="SSE120">&lt;cache-store&gt; SSE120`)) {
			found = true
		}
	}
	if !found {
		t.Error("no echo-api path shows its cache-store in its API policy")
	}
	// The APIM hop's own clock, with no silence to judge it against.
	if !bytes.Contains(dom, []byte(`data-limit-ms="240000" data-judgement="`+pathview.JudgeNoGap+`"`)) {
		t.Error("no 4-minute load balancer clock inside API Management")
	}
	pagetest.Screenshot(t, page, filepath.Join(dir, "lint.png"), 1400, 1200)
}

func rank(v string) int { return map[string]int{"yes": 0, "unknown": 1, "": 2, "no": 3}[v] }

// --report takes DIRs only; --format markdown is known to all three.
func TestReportAndMarkdownFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p.xml")
	if err := os.WriteFile(file, []byte(bufferingPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "", "lint", "--report", filepath.Join(t.TempDir(), "r.html"), file)
	if code != exitInput || !strings.Contains(stderr, "--report draws the request paths of APIOps trees: give DIRs only") {
		t.Errorf("lint --report FILE: exit %d, %s", code, stderr)
	}
	code, out, _ := runCLI(t, "", "lint", "--format", "markdown", file)
	if code != exitFindings || !strings.HasPrefix(out, "### sseready lint\n\n**❌ not ready**: 1 error") || !strings.Contains(out, "| ❌ error | SSE101 |") {
		t.Errorf("lint --format markdown: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "check-chain", "--format", "markdown", "testdata/chain/broken.json")
	if code != exitFindings || !strings.HasPrefix(out, "### sseready check-chain: testdata/chain/broken.json\n\n**❌ not ready**") {
		t.Errorf("check-chain --format markdown: exit %d\n%s", code, out)
	}
	for _, cmd := range []string{"lint", "check-chain", "check-plan"} {
		if code, _, stderr := runCLI(t, "", cmd, "--format", "html", file); code != exitInput || !strings.Contains(stderr, "text, json, sarif or markdown") {
			t.Errorf("%s --format html: exit %d, %s", cmd, code, stderr)
		}
	}
	// A chain that does not parse: the page says why, the exit status too.
	page := filepath.Join(t.TempDir(), "c.html")
	if code, _, _ := runCLI(t, "", "check-chain", "--report", page, "testdata/chain/invalid.json"); code != exitInput {
		t.Errorf("check-chain --report on an invalid chain: exit %d", code)
	}
	if b := readPage(t, page); !bytes.Contains(b, []byte(`<li class="problem">`)) {
		t.Errorf("the page of an invalid chain names no input error")
	}
}

// check-plan --format markdown: one row per path, the streaming API first.
func TestCheckPlanMarkdown(t *testing.T) {
	plan := planFile(t, "plan.json", planShow(t, "plan", "apis", ""))
	code, out, stderr := runCLI(t, "", append([]string{"check-plan", "--format", "markdown", plan}, planStream...)...)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	chat, echo, apart, orders := strings.Index(out, "`api chat`"), strings.Index(out, "`api echo-api`"), strings.Index(out, "APIs that do not stream"), strings.Index(out, "`api orders`")
	if chat < 0 || echo < chat || apart < echo || orders < apart {
		t.Errorf("chat %d, echo %d, apart %d, orders %d:\n%s", chat, echo, apart, orders, out)
	}
	if !strings.Contains(out, "| ❌ error | SSE101 | `azurerm_api_management_policy.global.xml_content:8:9` |") {
		t.Errorf("no SSE101 row at the global policy:\n%s", out)
	}
}
