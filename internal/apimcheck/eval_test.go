package apimcheck

import (
	"strings"
	"testing"
)

// The expected values are C#'s and Newtonsoft.Json's (FACTS.md, "Added
// with issue 16"), written by hand per world: stream true, false, JSON
// null, missing key, a body that is not JSON. "throw" is an exception,
// "?" a value sseready does not know (the why must name the construct).
func TestEvalWorlds(t *testing.T) {
	const body = `context.Request.Body.As<JObject>(preserveContent: true)`
	vars := map[string]value{"asText": strVal("True"), "asBool": boolVal(true)}
	tests := []struct {
		code string
		want [numWorlds]string
		why  string // for "?": a phrase of the why
	}{
		{`@(` + body + `["stream"]?.Value<bool>() ?? false)`, [5]string{"true", "false", "throw", "false", "throw"}, ""},
		{`@(` + body + `["stream"]?.Value<bool?>() ?? false)`, [5]string{"true", "false", "false", "false", "throw"}, ""},
		{`@(` + body + `["stream"].Value<bool>())`, [5]string{"true", "false", "throw", "throw", "throw"}, ""},
		{`@(` + body + `["stream"].ToString())`, [5]string{`"True"`, `"False"`, `""`, "throw", "throw"}, ""},
		{`@(` + body + `["stream"]?.ToString())`, [5]string{`"True"`, `"False"`, `""`, "null", "throw"}, ""},
		{`@((string)` + body + `["stream"])`, [5]string{`"True"`, `"False"`, "null", "null", "throw"}, ""},
		{`@(` + body + `["stream"].Value<string>())`, [5]string{`"True"`, `"False"`, "null", "throw", "throw"}, ""},
		{`@((bool)` + body + `["stream"])`, [5]string{"true", "false", "throw", "throw", "throw"}, ""},
		{`@((bool?)` + body + `["stream"] ?? false)`, [5]string{"true", "false", "false", "false", "throw"}, ""},
		{`@(` + body + `["stream"] != null)`, [5]string{"true", "true", "true", "false", "throw"}, ""},
		{`@(` + body + `["stream"] != null && ` + body + `["stream"].Type != JTokenType.Null)`, [5]string{"true", "true", "false", "false", "throw"}, ""},
		{`@(` + body + `["stream"].Type == JTokenType.Boolean)`, [5]string{"true", "true", "false", "throw", "throw"}, ""},
		{`@(` + body + `.ContainsKey("stream"))`, [5]string{"true", "true", "true", "false", "throw"}, ""},
		{`@(` + body + `.Property("stream") != null)`, [5]string{"true", "true", "true", "false", "throw"}, ""},
		{`@(` + body + `.SelectToken("$.stream")?.Value<bool?>() == true)`, [5]string{"true", "false", "false", "false", "throw"}, ""},
		{`@(` + body + `.Value<bool>("stream"))`, [5]string{"true", "false", "throw", "false", "throw"}, ""},
		{`@(` + body + `["stream"].ToString() == "true")`, [5]string{"false", "false", "false", "throw", "throw"}, ""},
		{`@(` + body + `["stream"].ToString().ToLower() == "true")`, [5]string{"true", "false", "false", "throw", "throw"}, ""},
		{`@(` + body + `["stream"].ToString().Equals("TRUE", StringComparison.OrdinalIgnoreCase))`, [5]string{"true", "false", "false", "throw", "throw"}, ""},
		{`@(string.Equals(` + body + `["stream"]?.ToString(), "true"))`, [5]string{"false", "false", "false", "false", "throw"}, ""},
		{`@(bool.Parse(` + body + `["stream"]?.ToString() ?? "false"))`, [5]string{"true", "false", "throw", "false", "throw"}, ""},
		{`@(Convert.ToBoolean(` + body + `["stream"]?.ToString()))`, [5]string{"true", "false", "throw", "false", "throw"}, ""},
		{`@(Convert.ToBoolean(` + body + `["stream"]))`, [5]string{"true", "false", "throw", "false", "throw"}, ""},
		{`@{ try { return (bool)` + body + `["stream"]; } catch { return false; } }`, [5]string{"true", "false", "false", "false", "false"}, ""},
		{`@{ var b = ` + body + `; var s = b["stream"]; if (s == null || s.Type == JTokenType.Null) { return "false"; } else { return s.ToString().ToLowerInvariant(); } }`, [5]string{`"true"`, `"false"`, `"false"`, `"false"`, "throw"}, ""},
		{`@{ JObject b = JObject.Parse(context.Request.Body.As<string>(preserveContent: true)); return b["stream"]?.Value<bool>() == true ? "stream" : "batch"; }`, [5]string{`"stream"`, `"batch"`, "throw", `"batch"`, "throw"}, ""},
		{`@(context.Variables.GetValueOrDefault<string>("asText") == "True")`, [5]string{"true", "true", "true", "true", "true"}, ""},
		{`@(context.Variables.GetValueOrDefault<bool>("unset", true))`, [5]string{"true", "true", "true", "true", "true"}, ""},
		{`@(context.Variables.ContainsKey("unset"))`, [5]string{"false", "false", "false", "false", "false"}, ""},
		{`@((string)context.Variables["unset"])`, [5]string{"throw", "throw", "throw", "throw", "throw"}, ""},
		{`@(context.Variables.GetValueOrDefault<string>("asBool"))`, [5]string{"?", "?", "?", "?", "?"}, "GetValueOrDefault<string> of a variable that holds true"},
		{`@(context.Request.Method == "POST")`, [5]string{"?", "?", "?", "?", "?"}, "context.Request.Method"},
		{`@{ foreach (var m in ` + body + `["messages"]) { } return true; }`, [5]string{"?", "?", "?", "?", "?"}, "foreach"},
		{`@(` + body + `["messages"].Count() > 0)`, [5]string{"?", "?", "?", "?", "throw"}, `the body's "messages"`},
		{`@(context.Request.Headers.GetValueOrDefault("Accept", "").Contains("text/event-stream"))`, [5]string{"?", "false", "false", "false", "false"}, "whether a streaming request sends Accept"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			p := parseCode(tt.code)
			if !p.ok {
				t.Fatalf("not parsed")
			}
			for w := range numWorlds {
				env := &evalEnv{w: w, vars: func(name string) (value, bool) { v, ok := vars[name]; return v, ok }}
				v := env.evaluate(p)
				got := v.describe()
				switch v.k {
				case vThrow:
					got = "throw"
				case vUnknown:
					got = "?"
					if tt.why != "" && !strings.Contains(v.why, tt.why) {
						t.Errorf("world %d: why %q does not name %q", w, v.why, tt.why)
					}
				}
				if got != tt.want[w] {
					t.Errorf("world %d: %s (%s), want %s", w, got, v.why, tt.want[w])
				}
			}
		})
	}
}

// Parsing never fails loudly: what is outside the subset becomes a node
// that names itself.
func TestParseUnsupported(t *testing.T) {
	for code, what := range map[string]string{
		`@(new JObject())`:                         "'new'",
		`@(items.Select(x => x.Name).First())`:     "items",
		`@{ while (true) { } }`:                    "while",
		`@(context.Request.Body.As<JObject>()[`:    "cannot read",
		`@{ return $"{context.Request.Method}"; }`: "an interpolated string",
	} {
		p := parseCode(code)
		env := &evalEnv{w: wStream}
		v := env.evaluate(p)
		if v.k != vUnknown {
			t.Errorf("%s: %s, want unknown", code, v.describe())
		}
		if what != "" && !strings.Contains(v.why, what) {
			t.Errorf("%s: why %q does not name %q", code, v.why, what)
		}
	}
}
