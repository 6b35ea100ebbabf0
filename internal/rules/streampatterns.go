package rules

// StreamPatterns describes, for the rules guide, the <choose> conditions
// the policy checker (package apimcheck, stream.go) reads as the request's
// stream flag. Its tests check each example, so the guide cannot promise
// what the checker does not do.
var StreamPatterns = []struct{ Pattern, Example string }{
	{"The flag read from the request body: `context.Request.Body.As<JObject>(...)` then `[\"stream\"]`, `?[\"stream\"]`, `.Value<bool>(\"stream\")`, `.SelectToken(\"stream\")`, `.GetValue(\"stream\")` or `.Property(\"stream\")`.",
		`@(context.Request.Body.As<JObject>(preserveContent: true)["stream"]?.Value<bool>() == true)`},
	{"The request's `Accept` header asking for an event stream, as an `EventSource` sends it: `context.Request.Headers.GetValueOrDefault(\"Accept\"[, default])` then `.Contains(\"text/event-stream\")` or `.StartsWith(...)`.",
		`@(!context.Request.Headers.GetValueOrDefault("Accept", "").Contains("text/event-stream"))`},
	{"A context variable that `set-variable` sets to the flag, read with `context.Variables[\"name\"]`, `context.Variables.GetValueOrDefault<T>(\"name\"[, default])` or `GetValue...`; a bare name (`@(isStream)`) is read as that variable. A variable set in several places to different things is not the flag.",
		`@(context.Variables.GetValueOrDefault<bool>("isStream"))`},
	{"Conversions that keep the meaning: `(bool)` and `(string)` casts, `.Value<bool>()`, `.ToString()`, `.ToLower()`, `.ToLowerInvariant()`, `.Trim()`, and `?? default`.",
		`@(((string)context.Variables["stream"]).ToLower() == "true")`},
	{"Both polarities: `!flag`, `== true`, `== false`, `!= true`, `== \"true\"`, `== \"false\"` (either case), `.Equals(\"true\")`.",
		`@(!context.Variables.GetValueOrDefault<bool>("streamRequested", false))`},
	{"A missing flag means no stream: `flag == null` (or `null == flag`) is taken by non-streaming requests only, so `flag == null || flag == false` is too.",
		`@(context.Request.Body.As<JObject>(true)["stream"] == null || context.Request.Body.As<JObject>(true)["stream"].Value<bool>() == false)`},
	{"`flag && other` is taken by streaming requests only (and `!flag && other` by the others); `flag || other` is not classified.",
		`@(context.Variables.GetValueOrDefault<bool>("isStream") && context.Request.Method == "POST")`},
	{"Branch order: a `<when>` after one whose condition is exactly the flag (or its negation) is taken only by the other kind of request, and so is the `<otherwise>`.",
		`<when condition="@(isStream)">...</when><otherwise>...</otherwise>`},
}
