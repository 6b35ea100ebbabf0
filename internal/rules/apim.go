package rules

// Rule IDs of the APIM policy rules. SSE1xx are about policy documents.
const (
	ExpressionSyntax         = "SSE100"
	ForwardRequestBuffers    = "SSE101"
	BackendInheritsBuffering = "SSE102"
	NoForwardRequest         = "SSE103"
	TimeoutOver240           = "SSE104"
	TimeoutAndTimeoutMs      = "SSE105"
	BufferResponseNotLiteral = "SSE106"
	ForwardAttributeInvalid  = "SSE107"
	// ForwardRequestOutsideBackend is a forward-request in another section.
	ForwardRequestOutsideBackend = "SSE108"
	HTTP2Preview                 = "SSE109"
	ValidateContent              = "SSE110"
	BodyTransform                = "SSE111"
	ResponseBodyRead             = "SSE112"
	EventHubBodyLogging          = "SSE113"
	ContentSafetyWindow          = "SSE114"
	ResponseHeadersChanged       = "SSE115"
	ResponseCaching              = "SSE120"
	UnresolvedFragment           = "SSE130"
	NotAPolicyDocument           = "SSE131"
	AcceptCommentInvalid         = "SSE132"
	TokenEstimate                = "SSE140"
	BackendNeverReached          = "SSE150"
	ResponseReplaced             = "SSE151"
	StreamingRefused             = "SSE152"
	// StreamFlagConstant is a comparison on the stream flag that gives
	// the same answer whatever the request asks.
	StreamFlagConstant = "SSE153"
)

const (
	learnSSE            = "https://learn.microsoft.com/en-us/azure/api-management/how-to-server-sent-events"
	learnForwardRequest = "https://learn.microsoft.com/en-us/azure/api-management/forward-request-policy"
	learnExpressions    = "https://learn.microsoft.com/en-us/azure/api-management/api-management-policy-expressions"
	learnCaching        = "https://learn.microsoft.com/en-us/azure/api-management/api-management-caching-policies"
	learnFragments      = "https://learn.microsoft.com/en-us/azure/api-management/policy-fragments"
	learnEventHub       = "https://learn.microsoft.com/en-us/azure/api-management/log-to-eventhub-policy"
	learnTokenLimit     = "https://learn.microsoft.com/en-us/azure/api-management/llm-token-limit-policy"
	learnContentSafety  = "https://learn.microsoft.com/en-us/azure/api-management/llm-content-safety-policy"
	learnSetHeader      = "https://learn.microsoft.com/en-us/azure/api-management/set-header-policy"
	learnReturnResponse = "https://learn.microsoft.com/en-us/azure/api-management/return-response-policy"
	learnMockResponse   = "https://learn.microsoft.com/en-us/azure/api-management/mock-response-policy"
	learnChoose         = "https://learn.microsoft.com/en-us/azure/api-management/choose-policy"
	learnOpenAIStream   = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference"
	learnBoolToString   = "https://learn.microsoft.com/en-us/dotnet/api/system.boolean.tostring"
	learnStringEquality = "https://learn.microsoft.com/en-us/dotnet/csharp/language-reference/operators/equality-operators"
)

// Sources shared by several rules.
var (
	returnResponseFact = Source{Facts: "the policy\n  cancels pipeline execution and returns either a default or custom response to the caller.", URL: learnReturnResponse}
	mockResponseFact   = Source{Facts: "it cancels normal\n  pipeline execution and returns a mocked response to the caller.", URL: learnMockResponse}
	streamFlagFact     = Source{Facts: "The chat completions request asks for a stream with `\"stream\": true` in its JSON body", URL: learnOpenAIStream}
	chooseFact         = Source{Facts: "the `<when>` elements are\n  evaluated in order and the first whose condition is true runs; `<otherwise>` runs when none is.", URL: learnChoose}
)

var apimRules = []Rule{
	{
		ID: ExpressionSyntax, Name: "policy-expression-syntax", Hop: HopAPIM, Severity: Error, StreamIndependent: true,
		Summary: "A policy expression does not scan as C#: a string or bracket is left open.",
		Why: "A policy expression is C# code. One whose string or bracket is left open is not valid C#, and its " +
			"end cannot be told from its code. sseready keeps such an expression where the XML around it shows where " +
			"the attribute ends, so it can check the rest of the document, and reports it here.",
		Fix:     "Close the string or bracket the message points at.",
		Sources: []Source{{Facts: "Policy expressions: `@(single C# expression)` and `@{ statements }` may\n  stand in attributes and text", URL: learnExpressions}},
	},
	{
		ID: ForwardRequestBuffers, Name: "forward-request-buffers", Hop: HopAPIM, Severity: Error, AutoFix: true,
		Summary: "forward-request buffers the response: buffer-response is missing (default true) or true.",
		Why: "With buffer-response true, its default, APIM relays the backend's response in 8 KB units unless the " +
			"stream ends, so events arrive late and in bursts. Microsoft's SSE guidance is to turn response " +
			"buffering off on forward-request.",
		Fix:     `Set buffer-response="false" on the forward-request (the automatic fix does this and nothing else).`,
		Sources: []Source{{Facts: "`forward-request` must have `buffer-response=\"false\"`.", URL: learnSSE}, {Facts: "`buffer-response` (default\n  **true**: chunks are buffered in 8 KB units unless the stream ends; no\n  expressions)", URL: learnForwardRequest}},
	},
	{
		ID: BackendInheritsBuffering, Name: "backend-inherits-buffering", Hop: HopAPIM, Severity: Error, AutoFix: true,
		Summary: "The <backend> section only says <base />, so it inherits the global default forward-request, which buffers.",
		Why: "The global scope holds a default <forward-request/> whose buffer-response is true. A <backend> that " +
			"only says <base /> pulls it in. At API scope that is an error unless a product policy forwards the request " +
			"itself; at operation scope the API-scope policy decides, and at product scope the APIs in the product can " +
			"override it, so there the finding is a warning naming the policy to check.",
		Fix: `Replace <base /> with <forward-request buffer-response="false" /> plus the other attributes you need ` +
			`(the automatic fix, at API and global scope only, writes exactly that element).`,
		Sources: []Source{{Facts: "A `<backend>`\n  that only says `<base />` inherits it, and with it `buffer-response`'s\n  default of true: an SSE policy must set the attribute explicitly.", URL: learnForwardRequest}},
	},
	{
		ID: NoForwardRequest, Name: "no-forward-request", Hop: HopAPIM, Severity: Error,
		Summary: "No forward-request is reachable: the request never reaches the streaming backend.",
		Why: "A <backend> section without forward-request (or <base /> to inherit one) answers from the gateway " +
			"itself, and a document without a <backend> section leaves it to APIM's defaults, which sseready does " +
			"not assume. Either way the SSE backend is not called with buffering off.",
		Fix:     `Add <forward-request buffer-response="false" /> to the <backend> section.`,
		Sources: []Source{{Facts: "`<forward-request>` (backend section only).", URL: learnForwardRequest}},
	},
	{
		ID: TimeoutOver240, Name: "forward-request-timeout-over-240", Hop: HopAPIM, Severity: Warning,
		Summary: "The forward-request timeout is over 240 seconds (or unset, defaulting to 300), which may not be honored.",
		Why: "timeout is how long APIM waits for the response headers, not for the whole stream. Values over 240 " +
			"seconds may not be honored, and when the attribute is missing the default is 300.",
		Fix:     "Set timeout to at most 240 (Microsoft's SSE example uses 120).",
		Sources: []Source{{Facts: "`timeout` (seconds to wait for the response *headers*, default 300, min 0;\n  over 240 \"may not be honored\"", URL: learnForwardRequest}},
	},
	{
		ID: TimeoutAndTimeoutMs, Name: "timeout-and-timeout-ms", Hop: HopAPIM, Severity: Error,
		Summary: "forward-request has both timeout and timeout-ms, which exclude each other.",
		Why:     "APIM accepts one of timeout (seconds) and timeout-ms (milliseconds) on forward-request, not both.",
		Fix:     "Remove one of the two attributes.",
		Sources: []Source{{Facts: "excludes\n  `timeout-ms`", URL: learnForwardRequest}},
	},
	{
		ID: BufferResponseNotLiteral, Name: "buffer-response-not-literal", Hop: HopAPIM, Severity: Error,
		Summary: "buffer-response is set from a policy expression (not allowed) or a named value (not checkable here).",
		Why: "buffer-response takes no policy expressions. A named value is substituted by APIM when the policy " +
			"loads, so its value is not in the document: sseready warns that it cannot tell whether it is false.",
		Fix:     `Write buffer-response="false" literally.`,
		Sources: []Source{{Facts: "`buffer-response` (default\n  **true**: chunks are buffered in 8 KB units unless the stream ends; no\n  expressions)", URL: learnForwardRequest}},
	},
	{
		ID: ForwardAttributeInvalid, Name: "forward-request-attribute-invalid", Hop: HopAPIM, Severity: Error,
		Summary: "A forward-request attribute has a value outside the documented ones.",
		Why: "timeout and timeout-ms are whole numbers from 0; http-version is 1, 2 or 2or1; fail-on-error-status-code, " +
			"follow-redirects and buffer-request-body are booleans. sseready checks literal values only.",
		Fix:     "Write a documented value.",
		Sources: []Source{{Facts: "`timeout-ms`, `continue-timeout`, `http-version` (`1`, `2`, `2or1`; default `1`), `follow-redirects` (default false), `buffer-request-body` (default false)", URL: learnForwardRequest}},
	},
	{
		ID: ForwardRequestOutsideBackend, Name: "forward-request-outside-backend", Hop: HopAPIM, Severity: Error,
		Summary: "forward-request stands outside the <backend> section.",
		Why: "forward-request belongs in <backend> only. sseready does not check the buffering of one that stands " +
			"elsewhere: the document has to change first.",
		Fix:     "Move the forward-request into <backend>.",
		Sources: []Source{{Facts: "`<forward-request>` (backend section only).", URL: learnForwardRequest}},
	},
	{
		ID: HTTP2Preview, Name: "forward-request-http2-preview", Hop: HopAPIM, Severity: Warning,
		Summary: `forward-request asks for HTTP/2 to the backend (http-version="2" or "2or1"), which is preview and only on the v2 and self-hosted gateways.`,
		Why: "HTTP/2 to the backend is a preview feature of the self-hosted and v2 gateways. On a classic tier the " +
			"attribute does not give you HTTP/2, and a preview may change; streams work over HTTP/1.1.",
		Fix:     `Leave http-version out (HTTP/1.1, the default) unless the instance is a v2 tier or a self-hosted gateway and you accept a preview.`,
		Sources: []Source{{Facts: "HTTP/2 to the\n  backend is preview and only on the self-hosted and v2 gateways.", URL: learnForwardRequest}},
	},
	{
		ID: ValidateContent, Name: "validate-content-buffers", Hop: HopAPIM, Severity: Error,
		Summary: "validate-content in the response path buffers the whole response.",
		Why: "validate-content needs the whole body to validate it, so it holds the stream until it ends. " +
			"Microsoft names it as the policy not to use with SSE.",
		Fix:     "Remove validate-content from the <outbound> section of SSE APIs (validate the request in <inbound> if you need to).",
		Sources: []Source{{Facts: "Policies that buffer the response must not be used (`validate-content`\n   is the one named).", URL: learnSSE}},
	},
	{
		ID: BodyTransform, Name: "response-body-transform", Hop: HopAPIM, Severity: Error,
		Summary: "A policy that needs the whole response body buffers the stream.",
		Why: "set-body, find-and-replace, xml-to-json, json-to-xml, xsl-transform, redirect-content-urls and jsonp " +
			"rewrite the body, so in <outbound> they read the response to its end before anything is sent.",
		Fix:     "Remove the policy from the <outbound> section of SSE APIs, or move the transformation to the backend.",
		Sources: []Source{{Facts: "Policies that need the whole body, and so buffer a stream: `validate-content`\n  (named by Microsoft), `set-body`, `find-and-replace`, `xml-to-json`,\n  `json-to-xml`, `xsl-transform`, `redirect-content-urls`, `jsonp`", URL: learnSSE}},
	},
	{
		ID: ResponseBodyRead, Name: "response-body-read", Hop: HopAPIM, Severity: Error,
		Summary: "A policy expression reads context.Response.Body, which buffers the whole stream.",
		Why: "Reading the response body, even with preserveContent, makes APIM hold the response until it ends. " +
			"This is true wherever the expression is: set-variable, trace, a choose condition, set-header.",
		Fix:     "Do not read context.Response.Body in SSE APIs; use headers or the status code instead.",
		Sources: []Source{{Facts: "any expression reading `context.Response.Body` (in `set-body`,\n  `log-to-eventhub`, `trace`, `set-variable`, `choose` conditions...).", URL: learnSSE}},
	},
	{
		ID: EventHubBodyLogging, Name: "eventhub-body-logging", Hop: HopAPIM, Severity: Error,
		Summary: "log-to-eventhub logs a body, which buffers the stream.",
		Why: "A log-to-eventhub payload that reads the response body holds the stream until it ends (Microsoft's " +
			"own Azure OpenAI logging sample shows it). Microsoft's SSE guidance is to turn request and response " +
			"body logging off for Event Hubs; a request body read is reported as a warning.",
		Fix:     "Log headers, status and timings only; drop Body reads from the log-to-eventhub payload.",
		Sources: []Source{{Facts: "`log-to-eventhub` with a body payload\n  buffers the stream", URL: learnEventHub}, {Facts: "Request/response body logging must be off for Azure Monitor,\n   Application Insights and Event Hubs.", URL: learnSSE}},
	},
	{
		ID: ContentSafetyWindow, Name: "content-safety-holds-window", Hop: HopAPIM, Severity: Warning,
		Summary: "llm-content-safety checks the streamed completion in a sliding window, and a violation stops the stream without an error status.",
		Why: "When llm-content-safety checks completions (in <outbound>, or with enforce-on-completions=\"true\"), the gateway " +
			"holds streamed events in a sliding window (window-size, 10,000 characters by default) to check them, so events " +
			"arrive late and in bursts of up to that size. On a violation it stops forwarding events and returns no 403: the " +
			"client sees the stream end early. A policy that checks only the prompt, in <inbound>, does not touch the response.",
		Fix:     "Keep the window small enough for the latency you need, and make clients treat a stream that ends without its final event (data: [DONE]) as refused.",
		Sources: []Source{{Facts: "for\n  streaming responses the gateway buffers events in a sliding window (`window-size`, 10,000\n  characters by default) to check them; on a violation it stops forwarding events, and no 403 is\n  returned: the client sees the stream stop.", URL: learnContentSafety}},
	},
	{
		ID: ResponseHeadersChanged, Name: "response-content-type-changed", Hop: HopAPIM, Severity: Error,
		Summary: "set-header on the response removes or overrides Content-Type (or tries to set Content-Length).",
		Why: "A browser's EventSource fails the connection when the response's Content-Type is not text/event-stream, and " +
			"other SSE clients check it too. A set-header in <outbound> that deletes Content-Type, or overrides or appends " +
			"a value other than text/event-stream, breaks every stream. Content-Length is one of the headers set-header " +
			"cannot append, override or delete, so setting it does nothing for the stream (a warning): remove it.",
		Fix:     "Remove the set-header, or make its value text/event-stream; use exists-action=\"skip\" to set Content-Type only when the backend has not.",
		Sources: []Source{{Facts: "A\nresponse whose Content-Type is not `text/event-stream` fails the\nconnection.", URL: whatwgSSE}, {Facts: "Connection, Content-Length, Keep-Alive and\n  Transfer-Encoding cannot be appended, overridden or deleted.", URL: learnSetHeader}},
	},
	{
		ID: ResponseCaching, Name: "response-caching", Hop: HopAPIM, Severity: Error,
		Summary: "A response-caching policy is on: clients may get a stored stream instead of live events.",
		Why: "cache-lookup, cache-store and the semantic caches (llm-semantic-cache-*, azure-openai-semantic-cache-*) " +
			"store whole responses and replay them; Microsoft's SSE guidance is to turn response caching off. " +
			"cache-lookup-value and cache-store-value cache single values, not responses, and are not flagged.",
		Fix:     "Remove the caching policies from SSE APIs and operations.",
		Sources: []Source{{Facts: "Response caching must be off.", URL: learnSSE}, {Facts: "Caching: `cache-lookup`, `cache-store`, `llm-semantic-cache-*`,\n  `azure-openai-semantic-cache-*`.", URL: learnCaching}},
	},
	{
		ID: UnresolvedFragment, Name: "unresolved-fragment", Hop: HopAPIM, Severity: Warning,
		Summary: "include-fragment pulls in a policy fragment whose content is not known here.",
		Why:     "A fragment can hold any policy, buffering ones included. sseready does not guess what it holds.",
		Fix:     "Check the fragment's own document with sseready (it has a <fragment> root).",
		Sources: []Source{{Facts: "A fragment has a\n  `<fragment>` root and is used with `<include-fragment fragment-id=\"x\"/>`.", URL: learnFragments}},
	},
	{
		ID: NotAPolicyDocument, Name: "not-a-policy-document", Hop: HopAPIM, Severity: Warning, StreamIndependent: true,
		Summary: "The file holds policies without a <policies> or <fragment> root, so it is checked as a fragment.",
		Why: "APIM takes a policy document (<policies> with its sections) or a fragment (<fragment>). A file with one policy " +
			"element, or several at the top, is a snippet: sseready checks each policy in it as a fragment would be " +
			"checked, inferring the section from what the policies do, but it cannot tell where the snippet will run.",
		Fix:     "Put the policies in the section they belong to in a <policies> document, or wrap them in <fragment> and include it with include-fragment.",
		Sources: []Source{{Facts: "Shape: `<policies><inbound/><backend/><outbound/><on-error/></policies>`.", URL: learnFragments}},
	},
	{
		ID: AcceptCommentInvalid, Name: "accept-comment-invalid", Hop: HopAPIM, Severity: Warning, StreamIndependent: true,
		Summary: "A <!-- sseready:accept ... --> comment does not name a rule, so it accepts nothing.",
		Why: "An inline acceptance is written <!-- sseready:accept SSE103 the reason --> before the element it is about " +
			"(or at the top of the document for all of it). This is sseready's own syntax, an assumption of no gateway: " +
			"one whose rule ID is missing or unknown would silently accept nothing, so sseready says so.",
		Fix:     "Write a rule ID from this guide after sseready:accept, then the reason.",
		Sources: []Source{{Assumption: "sseready's own inline syntax; APIM keeps it as an ordinary XML comment."}},
	},
	{
		ID: TokenEstimate, Name: "token-count-estimated", Hop: HopAPIM, Severity: Info,
		Summary: "With streaming responses, token limit and token metric policies only estimate tokens.",
		Why: "llm-token-limit, azure-openai-token-limit and the token metric policies work with stream: true but " +
			"cannot count the tokens of a streamed response exactly.",
		Fix:     "Nothing to change for streaming; expect token counts to be estimates.",
		Sources: []Source{{Facts: "`llm-token-limit` / `azure-openai-token-limit` and\n  `llm-emit-token-metric` work with `stream: true` but only estimate tokens.", URL: learnTokenLimit}},
	},
	{
		ID: BackendNeverReached, Name: "backend-never-reached", Hop: HopAPIM, Severity: Info,
		Summary: "An <inbound> return-response or mock-response always answers, so this API or operation never reaches a backend.",
		Why: "return-response and mock-response cancel the pipeline and answer from the gateway. When one stands directly " +
			"in <inbound>, outside any <choose>, it runs for every request: the <backend> and <outbound> sections never run, " +
			"so there is no backend stream to buffer and nothing in those sections is an error. sseready reports this once " +
			"and lowers the findings on code that never runs to info.",
		Fix:     "Nothing, if the API answers from the gateway on purpose (a mock, a health endpoint). To stream a backend, remove the policy or put it in a <choose> branch.",
		Sources: []Source{returnResponseFact, mockResponseFact},
	},
	{
		ID: ResponseReplaced, Name: "response-replaced", Hop: HopAPIM, Severity: Error,
		Summary: "An <outbound> return-response or mock-response always runs, so the client gets its response instead of the backend's stream.",
		Why: "In <outbound> the backend has answered; a return-response or mock-response there, outside any <choose>, cancels " +
			"the pipeline and sends its own response for every request, so the backend's events never reach the client.",
		Fix:     "Remove the policy, or put it in a <choose> branch that streaming requests do not take.",
		Sources: []Source{returnResponseFact, mockResponseFact},
	},
	{
		ID: StreamingRefused, Name: "streaming-refused", Hop: HopAPIM, Severity: Error,
		Summary: `A return-response or mock-response answers the requests that ask for a stream ("stream": true), so they never stream.`,
		Why: "LLM gateways branch on the request's stream flag. A return-response or mock-response in a <choose> branch that " +
			"streaming requests take cancels the pipeline for exactly those requests: they get the gateway's answer, not the " +
			"backend's events, however the flag was computed: sseready evaluates it (the rules guide says how).",
		Fix:     "Let streaming requests reach forward-request; if streaming must be refused, do it on purpose and accept this rule with the reason.",
		Sources: []Source{returnResponseFact, streamFlagFact, chooseFact},
	},
	{
		ID: StreamFlagConstant, Name: "stream-flag-comparison-constant", Hop: HopAPIM, Severity: Error,
		Summary: "A comparison on the request's stream flag gives the same answer whatever the request asks, so streaming requests take the branch meant for the others (or the reverse).",
		Why: "Gateways often turn the flag into text and compare it: `body[\"stream\"].ToString() == \"true\"`. But the text of a JSON " +
			"boolean is \"True\" or \"False\" in .NET, and == compares strings case-sensitively, so that comparison never matches: " +
			"streaming requests take the other branch, which often buffers. sseready evaluates the flag's comparisons as C# and " +
			"Newtonsoft.Json do, for a request that asks for a stream, one that says false and one that does not say, and reports " +
			"one that cannot tell them apart. It is an error when the branch streaming requests end up in breaks the stream, and a " +
			"warning otherwise.",
		Fix:     "Compare without case: .Equals(\"true\", StringComparison.OrdinalIgnoreCase), or lower-case the text where the flag is set (.ToString().ToLower()); better, read it as a bool: .Value<bool?>() ?? false.",
		Sources: []Source{{Facts: "`Boolean.ToString()` returns `Boolean.TrueString` / `FalseString`, which are `\"True\"` and\n  `\"False\"`", URL: learnBoolToString}, {Facts: "`==` on two strings compares them ordinally and case-sensitively", URL: learnStringEquality}, streamFlagFact},
	},
}
