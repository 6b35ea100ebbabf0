package rules

// StreamPattern is, for the rules guide, a way gateways compute or test
// the request's stream flag, and how the policy checker (package
// apimcheck, which evaluates it as C# and Newtonsoft.Json would) reads it.
// The checker's tests run each example, so the guide cannot promise what
// the checker does not do.
type StreamPattern struct {
	// Pattern says what the example shows.
	Pattern string
	// Setup are the policies that run before the condition (set-variable).
	Setup string
	// Example is a <when> condition.
	Example string
	// Taken says which requests take the <when>: "stream" (only requests
	// that ask for a stream), "others" (only the others) or "both".
	Taken string
	// Constant is true when the example is a comparison that never
	// matches whatever the request asks (SSE153).
	Constant bool
}

// blockFlag is the stream flag computed in a @{ } block, as public LLM
// gateways write it: read the body, turn the flag into text, return it.
const blockFlag = `<set-variable name="isStream" value="@{ var body = context.Request.Body.As<JObject>(preserveContent: true); if (body["stream"] != null) { return body["stream"].ToString(); } return "false"; }" />`

const textFlag = `<set-variable name="streamText" value="@(context.Request.Body.As<JObject>(true)["stream"]?.ToString() ?? "false")" />`

const boolFlag = `<set-variable name="streamRequested" value="@(context.Request.Body.As<JObject>(preserveContent: true)["stream"]?.Value<bool>() ?? false)" />`

// StreamPatterns are the guide's examples.
var StreamPatterns = []StreamPattern{
	{Pattern: "The flag read from the body as a bool: `?.` and `??` give `false` when the key is missing.",
		Example: `@(context.Request.Body.As<JObject>(preserveContent: true)["stream"]?.Value<bool>() ?? false)`, Taken: "stream"},
	{Pattern: "A context variable set to the flag, read with `GetValueOrDefault<T>(name, default)`; `!` negates it.",
		Setup: boolFlag, Example: `@(!context.Variables.GetValueOrDefault<bool>("streamRequested", false))`, Taken: "others"},
	{Pattern: "A bare name, as gateways' docs write conditions, is the context variable of that name.",
		Setup: boolFlag, Example: `@(streamRequested)`, Taken: "stream"},
	{Pattern: "The flag computed in a `@{ }` block (locals, `if`/`else`, `return`) as text, compared without case with `.Equals(x, StringComparison.OrdinalIgnoreCase)`.",
		Setup: blockFlag, Example: `@(context.Variables.GetValueOrDefault<string>("isStream").Equals("false", StringComparison.OrdinalIgnoreCase))`, Taken: "others"},
	{Pattern: "The same text compared with `==`, which is case-sensitive: .NET writes a JSON boolean as `\"True\"` or `\"False\"`, so this never matches, and streaming requests take the other branch (`SSE153`).",
		Setup: blockFlag, Example: `@(context.Variables.GetValueOrDefault<string>("isStream") == "true")`, Taken: "none", Constant: true},
	{Pattern: "`.ToLower()` (or `.ToUpper()`, `…Invariant()`) before `==` fixes it.",
		Setup: textFlag, Example: `@(((string)context.Variables["streamText"]).ToLower() == "true")`, Taken: "stream"},
	{Pattern: "Text turned back into a bool: `bool.Parse`, `Convert.ToBoolean`.",
		Setup: textFlag, Example: `@(Convert.ToBoolean(context.Variables.GetValueOrDefault<string>("streamText", "false")))`, Taken: "stream"},
	{Pattern: "`try`/`catch`: the catch's `return` is what a request gets whose body throws (a JSON null cast to `bool`, a body that is not JSON).",
		Example: `@{ try { return (bool)context.Request.Body.As<JObject>(true)["stream"]; } catch { return false; } }`, Taken: "stream"},
	{Pattern: "A test that the key is present (`!= null`, `.Type != JTokenType.Null`, `ContainsKey`, `Property(...) != null`) is true for `\"stream\": false` too: both kinds of request take it.",
		Example: `@(context.Request.Body.As<JObject>(true)["stream"] != null && context.Request.Body.As<JObject>(true)["stream"].Type != JTokenType.Null)`, Taken: "both"},
	{Pattern: "`SelectToken(\"stream\")` or `(\"$.stream\")`, casts to `bool?`.",
		Example: `@((bool?)context.Request.Body.As<JObject>(true).SelectToken("$.stream") == true)`, Taken: "stream"},
	{Pattern: "The request's `Accept` header asking for an event stream, as an `EventSource` sends it (on a path that reads no body flag).",
		Example: `@(!context.Request.Headers.GetValueOrDefault("Accept", "").Contains("text/event-stream"))`, Taken: "others"},
	{Pattern: "`flag && other` is taken by streaming requests only; `flag || other` by every streaming request (and maybe others); `?:` picks a side.",
		Setup: boolFlag, Example: `@(context.Variables.GetValueOrDefault<bool>("streamRequested") && context.Request.Method == "POST" ? true : false)`, Taken: "stream"},
}
