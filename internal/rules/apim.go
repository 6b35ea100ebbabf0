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
	ValidateContent              = "SSE110"
	BodyTransform                = "SSE111"
	ResponseBodyRead             = "SSE112"
	EventHubBodyLogging          = "SSE113"
	ResponseCaching              = "SSE120"
	UnresolvedFragment           = "SSE130"
	TokenEstimate                = "SSE140"
)

const (
	learnSSE            = "https://learn.microsoft.com/en-us/azure/api-management/how-to-server-sent-events"
	learnForwardRequest = "https://learn.microsoft.com/en-us/azure/api-management/forward-request-policy"
	learnExpressions    = "https://learn.microsoft.com/en-us/azure/api-management/api-management-policy-expressions"
	learnCaching        = "https://learn.microsoft.com/en-us/azure/api-management/api-management-caching-policies"
	learnFragments      = "https://learn.microsoft.com/en-us/azure/api-management/policy-fragments"
	learnEventHub       = "https://learn.microsoft.com/en-us/azure/api-management/log-to-eventhub-policy"
	learnTokenLimit     = "https://learn.microsoft.com/en-us/azure/api-management/llm-token-limit-policy"
)

var apimRules = []Rule{
	{
		ID: ExpressionSyntax, Name: "policy-expression-syntax", Hop: HopAPIM, Severity: Error,
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
		ID: TokenEstimate, Name: "token-count-estimated", Hop: HopAPIM, Severity: Info,
		Summary: "With streaming responses, token limit and token metric policies only estimate tokens.",
		Why: "llm-token-limit, azure-openai-token-limit and the token metric policies work with stream: true but " +
			"cannot count the tokens of a streamed response exactly.",
		Fix:     "Nothing to change for streaming; expect token counts to be estimates.",
		Sources: []Source{{Facts: "`llm-token-limit` / `azure-openai-token-limit` and\n  `llm-emit-token-metric` work with `stream: true` but only estimate tokens.", URL: learnTokenLimit}},
	},
}
