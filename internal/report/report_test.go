package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
)

// The findings each command makes, as it makes them.
var (
	buffers = rules.MustLookup(rules.ForwardRequestBuffers)

	// lint: a file, the place in it.
	lintFinding = func() Finding {
		f := FromRule(buffers.Finding(3, 12, "forward-request", "forward-request has no buffer-response"))
		f.File = "apis/chat/policy.xml"
		return f
	}()
	// check-plan: a resource attribute, the place in its document.
	planFinding = func() Finding {
		rf := buffers.Finding(8, 9, "forward-request", "buffers")
		rf.Setting = "apim.policies[0].xml"
		f := FromRule(rf)
		f.File, f.Address, f.Attribute = "plan.json", "azurerm_api_management_policy.global", "xml_content"
		return f
	}()
	// check-plan: a backend setting no resource holds.
	backendFinding = func() Finding {
		rf := rules.MustLookup("SSE402").Finding(0, 0, "backend.response_headers", "headers not given")
		rf.Setting, rf.Severity = "backend.response_headers", rules.Info
		f := FromRule(rf)
		f.File, f.Attribute, f.Source = "plan.json", "response_headers", "not given: response_headers in --profile"
		return f
	}()
	// check-chain: a setting, and a policy in the chain.
	chainFinding = func() Finding {
		rf := rules.MustLookup("SSE301").Finding(0, 0, "app_gateway.global", "buffers")
		rf.Setting = "app_gateway.global"
		f := FromRule(rf)
		f.File = "chain.json"
		return f
	}()
)

func TestFromRule(t *testing.T) {
	rf := buffers.Finding(2, 9, "forward-request", "m")
	rf.Attribute, rf.Fragment, rf.Reason, rf.Setting = "buffer-response", "auth", "why", "apim.fragments.auth"
	f := FromRule(rf)
	if f.Rule != "SSE101" || f.Severity != rules.Error || f.Hop != "apim" || f.Line != 2 || f.Column != 9 || f.Element != "forward-request" ||
		f.XMLAttribute != "buffer-response" || f.Fragment != "auth" || f.Reason != "why" || f.Setting != "apim.fragments.auth" {
		t.Errorf("%+v", f)
	}
	// A chain finding names its setting as its element: said once.
	if chainFinding.Element != "" || chainFinding.Setting != "app_gateway.global" {
		t.Errorf("%+v", chainFinding)
	}
	// Accepted: by a comment in the policy, unless the command says so.
	rf.Accept("in the policy", "by the comment at line 1, column 1")
	if f := FromRule(rf); f.Severity != rules.Accepted || f.AcceptedBy != sarifreport.InSource {
		t.Errorf("accepted %+v", f)
	}
}

// A finding on paths says the verdict that matters most, with the
// evidence of every path that has it, each reason once.
func TestOnPaths(t *testing.T) {
	f := lintFinding.OnPaths([]Path{
		{Path: "api echo", API: "echo", Streaming: "unknown", StreamingEvidence: []string{"nothing says"}},
		{Path: "api chat > operation a", API: "chat", Streaming: "yes", StreamingEvidence: []string{"route", "backend"}},
		{Path: "api orders", API: "orders", Streaming: "no"},
		{Path: "api chat > operation b", API: "chat", Streaming: "yes", StreamingEvidence: []string{"backend", "spec"}},
	})
	if !slices.Equal(f.Paths, []string{"api echo", "api chat > operation a", "api orders", "api chat > operation b"}) ||
		f.Streaming != "yes" || !slices.Equal(f.StreamingEvidence, []string{"route", "backend", "spec"}) {
		t.Errorf("%q %q %q", f.Paths, f.Streaming, f.StreamingEvidence)
	}
	if g := lintFinding.OnPaths([]Path{{Path: "gateway", Streaming: ""}}); g.Streaming != "" || g.StreamingEvidence != nil || len(g.Paths) != 1 {
		t.Errorf("a path with no verdict: %+v", g)
	}
	if g := f.OnPaths(nil); g.Paths != nil || g.Streaming != "" {
		t.Errorf("no paths: %+v", g)
	}
}

func TestText(t *testing.T) {
	accepted := lintFinding
	accepted.Severity, accepted.Reason = rules.Accepted, "the batch API"
	inFragment := lintFinding
	inFragment.Line, inFragment.Column, inFragment.Fragment, inFragment.FragmentFile = 2, 3, "forward", "policy fragments/forward/policy.xml"
	inChainPolicy := planFinding
	inChainPolicy.Address, inChainPolicy.Attribute = "", ""
	var buf bytes.Buffer
	for _, f := range []Finding{
		lintFinding,
		accepted.OnPaths([]Path{{Path: "api a"}, {Path: "api b"}}),
		inFragment.OnPaths([]Path{{Path: "api a"}, {Path: "api b"}, {Path: "api c"}}),
		planFinding.OnPaths([]Path{{Path: "api a"}}),
		backendFinding,
		chainFinding,
		inChainPolicy,
	} {
		if err := Text(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []Problem{
		{File: "broken.xml", Line: 3, Column: 1, Message: "end tag"},
		{File: "missing.xml", Message: "cannot read"},
		{File: "plan.json", Address: "azurerm_api_management_policy.global", Attribute: "xml_content", Line: 3, Column: 1, Message: "end tag"},
		{File: "chain.json", Setting: "app_gateway.request_timeout", Message: "0 is outside 1 to 86400 seconds"},
	} {
		if err := ProblemText(&buf, p); err != nil {
			t.Fatal(err)
		}
	}
	want := `apis/chat/policy.xml:3:12: error SSE101: forward-request has no buffer-response
apis/chat/policy.xml:3:12: accepted SSE101: forward-request has no buffer-response (accepted: the batch API) [on api a, and 1 more path]
policy fragments/forward/policy.xml:2:3: error SSE101: forward-request has no buffer-response [on api a, and 2 more paths]
azurerm_api_management_policy.global.xml_content:8:9: error SSE101: buffers [on api a]
backend.response_headers (not given: response_headers in --profile): info SSE402: headers not given
app_gateway.global: error SSE301: buffers
apim.policies[0].xml:8:9: error SSE101: buffers
broken.xml:3:1: error: end tag
missing.xml: error: cannot read
azurerm_api_management_policy.global.xml_content:3:1: error: end tag
app_gateway.request_timeout: error: 0 is outside 1 to 86400 seconds
`
	if buf.String() != want {
		t.Errorf("text\n%s\nwant\n%s", buf.String(), want)
	}
}

// The JSON names: the same field has the same name in every command, and
// what does not apply is left out.
func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	f := planFinding
	f.XMLAttribute, f.Fragment, f.Reason = "buffer-response", "auth", "<why> & how"
	if err := JSON(&buf, []any{lintFinding.OnPaths([]Path{{Path: "api a > op", API: "a", Streaming: "yes", StreamingEvidence: []string{"route"}}}), f, backendFinding, chainFinding,
		Problem{File: "x", Setting: "apim.policies[0].xml", Line: 1, Column: 2, Message: "m"}}); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return strings.Join(ks, " ")
	}
	for i, want := range []string{
		"column element hop line message paths rule severity streaming streaming_evidence",
		"address attribute column element fragment hop line message reason rule setting severity xml_attribute",
		"attribute hop message rule setting severity source",
		"hop message rule setting severity",
		"column line message setting",
	} {
		if k := keys(got[i]); k != want {
			t.Errorf("object %d: keys %s, want %s", i, k, want)
		}
	}
	if !strings.Contains(buf.String(), `"reason": "<why> & how"`) {
		t.Errorf("markup escaped:\n%s", buf.String())
	}
}

// sarifLog writes the log, checks it against the SARIF 2.1.0 schema and
// returns it as plain JSON.
func sarifLog(t *testing.T, findings []Finding, problems []Problem) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, "dev", findings, problems); err != nil {
		t.Fatal(err)
	}
	rep, err := sarif.FromBytes(buf.Bytes(), sarif.WithStrictValidation())
	if err != nil {
		t.Fatalf("not a SARIF log: %v\n%s", err, buf.String())
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v\n%s", err, buf.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// at walks plain JSON by keys and indexes; a missing step is nil.
func at(doc any, path ...any) any {
	cur := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := cur.(map[string]any)
			cur = m[k]
		case int:
			a, _ := cur.([]any)
			if k >= len(a) {
				return nil
			}
			cur = a[k]
		}
	}
	return cur
}

func TestSARIF(t *testing.T) {
	accepted := lintFinding
	accepted.Severity, accepted.Reason, accepted.AcceptedBy = rules.Accepted, "batch", sarifreport.InSource
	byFlag := accepted
	byFlag.AcceptedBy = sarifreport.External
	inFragment := lintFinding
	inFragment.Fragment, inFragment.FragmentFile = "forward", "policy fragments/forward/policy.xml"
	onPath := planFinding.OnPaths([]Path{{Path: "api chat", API: "azurerm_api_management_api.chat", Streaming: "yes", StreamingEvidence: []string{"route"}}})
	onPath.Related = []sarifreport.Location{{Address: "azurerm_api_management_api.chat", Note: "on the path api chat"}}
	doc := sarifLog(t, []Finding{lintFinding, accepted, inFragment, onPath, backendFinding, chainFinding, byFlag}, []Problem{
		{File: "plan.json", Address: "azurerm_api_management_policy.global", Attribute: "xml_content", Line: 3, Column: 1, Message: "end tag"},
		{File: "plan.json", Address: "azurerm_api_management_policy.global", Attribute: "xml_content", Line: 3, Column: 1, Message: "end tag"},
		{File: "broken.xml", Line: 3, Column: 1, Message: "end tag"},
	})
	res := func(i int, path ...any) any { return at(doc, append([]any{"runs", 0, "results", i}, path...)...) }
	phys := func(i int, path ...any) any {
		return res(i, append([]any{"locations", 0, "physicalLocation"}, path...)...)
	}
	logical := func(i int, key string) any { return res(i, "locations", 0, "logicalLocations", 0, key) }

	// A finding in a file: its line and column; the JSON names as
	// properties.
	if phys(0, "artifactLocation", "uri") != "apis/chat/policy.xml" || phys(0, "region", "startLine") != 3.0 ||
		res(0, "properties", "element") != "forward-request" || res(0, "properties", "hop") != "apim" || res(0, "message", "text") != "forward-request has no buffer-response" {
		t.Errorf("result 0: %v", res(0))
	}
	if res(1, "suppressions", 0, "kind") != "inSource" || res(1, "suppressions", 0, "justification") != "batch" || res(1, "properties", "severity") != "accepted" {
		t.Errorf("accepted: %v", res(1))
	}
	if phys(2, "artifactLocation", "uri") != "policy%20fragments/forward/policy.xml" || res(2, "properties", "fragment") != "forward" ||
		res(2, "relatedLocations", 0, "physicalLocation", "artifactLocation", "uri") != "apis/chat/policy.xml" ||
		res(2, "relatedLocations", 0, "message", "text") != `the policy that includes fragment "forward"` {
		t.Errorf("fragment: %v", res(2))
	}
	// A resource attribute: a logical location in the plan's file, the
	// place in the document in the message; its path and verdict.
	if logical(3, "fullyQualifiedName") != "azurerm_api_management_policy.global.xml_content" || logical(3, "kind") != "resource" ||
		phys(3, "artifactLocation", "uri") != "plan.json" || phys(3, "region") != nil || res(3, "message", "text") != "xml_content:8:9: buffers" ||
		res(3, "properties", "setting") != "apim.policies[0].xml" || res(3, "properties", "streaming") != "yes" ||
		at(res(3, "properties", "streaming_evidence"), 0) != "route" || at(res(3, "properties", "paths"), 0, "api") != "azurerm_api_management_api.chat" ||
		res(3, "relatedLocations", 0, "message", "text") != "on the path api chat" {
		t.Errorf("plan finding: %v", res(3))
	}
	if logical(4, "fullyQualifiedName") != "backend.response_headers" || logical(4, "kind") != "parameter" ||
		res(4, "locations", 0, "message", "text") != "not given: response_headers in --profile" {
		t.Errorf("backend finding: %v", res(4))
	}
	if logical(5, "fullyQualifiedName") != "app_gateway.global" || logical(5, "kind") != "parameter" || res(5, "properties", "element") != nil {
		t.Errorf("chain finding: %v", res(5))
	}
	if res(6, "suppressions", 0, "kind") != "external" {
		t.Errorf("accepted by the command: %v", res(6))
	}
	// The same problem twice is one notification.
	n := at(doc, "runs", 0, "invocations", 0, "toolExecutionNotifications")
	if notes, _ := n.([]any); len(notes) != 2 || at(n, 0, "message", "text") != "xml_content:3:1: end tag" ||
		at(n, 0, "locations", 0, "logicalLocations", 0, "fullyQualifiedName") != "azurerm_api_management_policy.global.xml_content" ||
		at(n, 1, "locations", 0, "physicalLocation", "region", "startLine") != 3.0 || at(doc, "runs", 0, "invocations", 0, "executionSuccessful") != false {
		t.Errorf("notifications %v", n)
	}
}

// Merge: the same finding on several paths is one, on all of them, once
// per verdict.
func TestMerge(t *testing.T) {
	on := func(f Finding, path, api, verdict string) Finding {
		f = f.OnPaths([]Path{{Path: path, API: api, Streaming: verdict, StreamingEvidence: []string{"because " + api}}})
		f.Related = []sarifreport.Location{{Address: api, Note: "on the path " + path}}
		return f
	}
	got := Merge([]Finding{
		on(planFinding, "api chat", "chat", "yes"),
		on(chainFinding, "api chat", "chat", "yes"),
		on(planFinding, "api chat > operation c", "chat", "yes"),
		on(planFinding, "api llm", "llm", "yes"),
		on(planFinding, "api orders", "orders", "no"),
		chainFinding,
	})
	if len(got) != 4 {
		t.Fatalf("%d findings: %+v", len(got), got)
	}
	if m := got[0]; !slices.Equal(m.Paths, []string{"api chat", "api chat > operation c", "api llm"}) || m.Streaming != "yes" ||
		!slices.Equal(m.StreamingEvidence, []string{"because chat", "because llm"}) || len(m.Related) != 3 {
		t.Errorf("merged %+v", m)
	}
	if got[1].Rule != "SSE301" || got[2].Streaming != "no" || got[3].Paths != nil {
		t.Errorf("kept apart: %+v", got[1:])
	}
}
