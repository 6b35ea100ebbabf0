package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// llmPolicy computes the stream flag in a @{ } block, as public LLM
// gateways do, and sends streams to a forward-request that streams, the
// others to one that buffers. INCLUDE is where the flag is computed.
const llmPolicy = `<policies>
  <inbound>
    INCLUDE
  </inbound>
  <backend>
    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<bool>(&quot;isStream&quot;))">
        <forward-request timeout="120" buffer-response="false" />
      </when>
      <otherwise>
        <forward-request timeout="120" />
      </otherwise>
    </choose>
  </backend>
  <outbound>OUTBOUND</outbound>
</policies>`

const flagVariable = `<set-variable name="isStream" value="@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        var s = body[&quot;stream&quot;];
        return s != null &amp;&amp; s.Type == JTokenType.Boolean &amp;&amp; s.Value<bool>();
    }" />`

func llmFiles(t *testing.T) func(string) string {
	dir := writeFiles(t, map[string]string{
		"llm.xml":      strings.NewReplacer("INCLUDE", flagVariable, "OUTBOUND", "").Replace(llmPolicy),
		"included.xml": strings.NewReplacer("INCLUDE", `<include-fragment fragment-id="stream-flag" />`, "OUTBOUND", "").Replace(llmPolicy),
		"flag.xml":     "<fragment>\n" + flagVariable + "\n</fragment>",
		"safety.xml":   strings.NewReplacer("INCLUDE", flagVariable, "OUTBOUND", `<llm-content-safety backend-id="safety" window-size="100" />`).Replace(llmPolicy),
	})
	return func(name string) string { return filepath.Join(dir, name) }
}

// prove sends the probe's request, and the emulated hop takes the branch
// that request takes.
func TestProveSendsTheRequest(t *testing.T) {
	f := llmFiles(t)
	fast := []string{"prove", "--time-scale", "240", "--silence-after", "0"}
	for _, tt := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"a streaming request streams", []string{"--apim-policy", f("llm.xml"), "--data", `{"stream": true}`}, "", 0,
			[]string{"request: a POST with a 16-byte body", "apim: stream\n", "event 6 ", "ok: every event arrived as it was sent"}},
		{"stream false takes the buffering branch", []string{"--apim-policy", f("llm.xml"), "--data", `{"stream": false}`}, "", 1,
			[]string{"apim: buffer=8192; rules=SSE101", "outcome: held (released_at_end after", "at apim)"}},
		{"the body from standard input", []string{"--apim-policy", f("llm.xml"), "--data-file", "-", "--header", "X-Trace: 1"}, `{"stream": true}`, 0,
			[]string{"request: a POST with a 16-byte body", "apim: stream\n", "ok:"}},
		{"a GET without a body fails the flag's expression, as APIM does", []string{"--apim-policy", f("llm.xml")}, "", 1,
			[]string{"request: a GET without a body", "apim: answer=500", "answers 500 itself: the <set-variable> at line 3, column 5 threw a NullReferenceException",
				"note: the <set-variable> at line 3, column 5 threw", "status 500", "outcome: refused"}},
		{"the flag computed in a fragment given", []string{"--apim-policy", f("included.xml"), "--apim-fragment", "stream-flag=" + f("flag.xml"), "--data", `{"stream": true}`}, "", 0,
			[]string{"apim: stream\n", "ok:"}},
		{"a fragment not given: the variable is never set", []string{"--apim-policy", f("included.xml"), "--data", `{"stream": true}`}, "", 1,
			[]string{"apim: buffer=8192; rules=SSE101", `note: SSE130: `, "(emulator: the hop runs nothing in the fragment's place: give it with --apim-fragment NAME=FILE)"}},
		{"content safety's test word stops the stream without an error status", []string{"--apim-policy", f("safety.xml"), "--data", `{"stream": true}`, "--content-safety-block", `"seq":4`}, "", 1,
			[]string{"apim: window=100; rules=SSE114", "status 200", "apim cut the stream: llm-content-safety found a violation", "outcome: cut"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, tt.stdin, append(append([]string{}, fast...), tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			rest := strings.ReplaceAll(out, "\n  ", " ")
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestProveRequestUsageErrors(t *testing.T) {
	f := llmFiles(t)
	chain := writeFile(t, "chain.json", `{"apim": {"policies": []}}`)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--apim-policy", f("llm.xml"), "--data", "{}", "--data-file", f("flag.xml")}, "give the body once: --data or --data-file"},
		{[]string{"--apim-policy", f("llm.xml"), "--header", "nocolon"}, `--header "nocolon" is not K:V`},
		{[]string{"--apim-policy", f("llm.xml"), "--apim-fragment", "nofile"}, `--apim-fragment "nofile": write NAME=FILE`},
		{[]string{"--apim-policy", f("llm.xml"), "--apim-fragment", "a=" + f("missing.xml")}, "--apim-fragment a: open"},
		{[]string{"--apim-policy", f("llm.xml"), "--apim-fragment", "a=" + f("flag.xml"), "--apim-fragment", "a=" + f("flag.xml")}, `"a" is given twice`},
		{[]string{"--appgw-settings", f("llm.xml"), "--apim-fragment", "a=" + f("flag.xml")}, "--apim-fragment go with --apim-policy"},
		{[]string{"--chain", chain, "--apim-fragment", "a=" + f("flag.xml")}, "leave out --apim-policy, --apim-fragment"},
	} {
		code, _, errOut := runCLI(t, "", append([]string{"prove"}, tt.args...)...)
		if code != exitInput || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}

// The gateway runs the policy for each request it receives; its request
// flags choose the one its first line describes.
func TestGatewayRunsThePolicyPerRequest(t *testing.T) {
	f := llmFiles(t)
	backend := start(t, "backend", "--listen", "127.0.0.1:0", "--events", "3", "--interval", "20ms")
	gw, log := startLogged(t, "gateway", "--listen", "127.0.0.1:0", "--upstream", backend, "--apim-policy", f("llm.xml"), "--data", `{"stream": true}`)
	if !strings.Contains(log.String(), ": stream for a POST with a 16-byte body") {
		t.Fatalf("the first line does not describe the request:\n%s", log)
	}
	code, out, _ := runCLI(t, "", "probe", "--events", "3", "--data", `{"stream": true}`, gw)
	if code != 0 || !strings.Contains(out, "outcome: streamed") {
		t.Fatalf("stream true: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "probe", "--events", "3", "--max-latency", "50ms", "--data", `{"stream": false}`, gw)
	if code != 1 || !strings.Contains(out, "outcome: held") && !strings.Contains(out, "outcome: buffered") {
		t.Fatalf("stream false: exit %d\n%s", code, out)
	}
}
