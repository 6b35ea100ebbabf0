package probe

// Outcome is how the stream arrived, judged from the client's side only:
// what the probe saw on its connection, with the sender's timestamps when
// the events carry them (sent_unix_nano) and without when they do not (a
// real Azure OpenAI endpoint's chunks carry none).
type Outcome string

const (
	// Streamed: status 200, Content-Type text/event-stream, and the events
	// arrived one by one: none later than Options.MaxLatency after it was
	// sent, none coalesced with others, and the stream ended as its
	// protocol ends (or the probe stopped reading). A stream whose
	// protocol has a final event (data: [DONE], response.completed,
	// message_stop, the MCP response) ends there: the probe stops and
	// counts it complete, however many events Options.Events asked for.
	Streamed Outcome = "streamed"
	// Buffered: the events arrived, but in bursts or late: several sent
	// apart arrived in one read (or, with the sender's timestamps, within a
	// quarter of the time between their sending), or one arrived more than
	// MaxLatency after it was sent. What a hop that relays in units (APIM's
	// 8 KB with buffer-response true, the Azure OpenAI content filter's
	// chunks) looks like from the client.
	Buffered Outcome = "buffered"
	// Held: nothing came out until the end. Either no event arrived before
	// the probe stopped (and no byte at all after the response headers, or
	// no response headers), or every event was released at once at the
	// end: the first arrived only after the last was sent, more than
	// MaxLatency late; without timestamps, all arrived together in one
	// burst, more than MaxLatency after the response headers and within a
	// quarter of that wait of each other. What body logging,
	// validate-content or App Gateway's response buffering look like.
	Held Outcome = "held"
	// Cut: the stream broke off (a reset, a connection closed in the middle
	// of the body), ended in the middle of an event, ended before the
	// probe's Events, ended with no event at all, or ended without its
	// protocol's final event (a chat completions stream without data:
	// [DONE], a Responses stream without response.completed...). A chain
	// emulated on loopback also reports a hop that dropped the flow
	// silently (chainrun).
	Cut Outcome = "cut"
	// Refused: a status other than 200. An EventSource fails the
	// connection on any other, and an LLM API streams with 200 only.
	Refused Outcome = "refused"
	// NotSSE: status 200 with a Content-Type that is not text/event-stream
	// (a JSON completion, an HTML error page).
	NotSSE Outcome = "not_sse"
	// Error: no response: the request could not be built or sent
	// (connection refused, DNS, TLS), the connection failed before the
	// response headers, the response's coding cannot be decoded, or an MCP
	// session could not be set up; or the stream's protocol said it failed
	// (an error event: Responses' response.failed or error, Anthropic's
	// error; fault error_event).
	Error Outcome = "error"
)

// FaultKind says what went wrong with a stream that was cut, held,
// buffered or ended by an error event.
type FaultKind string

const (
	// BrokeOff: the connection ended with an error in the middle of the
	// body (reset, unexpected EOF): a hop's clock or a crash.
	BrokeOff FaultKind = "broke_off"
	// EndedEarly: the stream ended cleanly before the probe's Events, or
	// before any event.
	EndedEarly FaultKind = "ended_early"
	// EndedMidEvent: the stream ended inside an event (no empty line
	// dispatched it), which a client discards.
	EndedMidEvent FaultKind = "ended_mid_event"
	// NoFinalEvent: the stream ended without its protocol's final event
	// (Protocol.HasFinal): data: [DONE], response.completed, message_stop,
	// the MCP response.
	NoFinalEvent FaultKind = "no_final_event"
	// ErrorEvent: the stream's protocol sent an error event
	// (Report.StreamError).
	ErrorEvent FaultKind = "error_event"
	// DroppedSilently: a hop dropped the flow and told the client nothing;
	// only a chain emulated on loopback knows (chainrun).
	DroppedSilently FaultKind = "dropped_silently"
	// NoHeaders: no response headers arrived before the probe stopped.
	NoHeaders FaultKind = "no_headers"
	// NothingArrived: response headers, then not a byte (no event, no
	// heartbeat) before the probe stopped.
	NothingArrived FaultKind = "nothing_arrived"
	// ReleasedAtEnd: every event was held and released together at the
	// end.
	ReleasedAtEnd FaultKind = "released_at_end"
	// Late: events arrived more than MaxLatency after they were sent.
	Late FaultKind = "late"
	// Coalesced: events sent apart arrived together; or the keep-alives
	// sent during the silence before the first content did, after it.
	Coalesced FaultKind = "coalesced"
)

// Fault is the record of a stream that was cut, held, buffered or ended
// by an error event: what happened, when, after how long a silence, and
// which hop did it when that is known.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// AfterMS is when it showed, since the request was sent: the end of
	// the stream for a cut, the release of the first held event (or the
	// probe's stop) for a hold, the arrival of the first late or coalesced
	// event for buffering.
	AfterMS float64 `json:"after_ms"`
	// SilenceMS is how long nothing had arrived before it: since the last
	// item (or the headers) for a cut; the wait for the first event for a
	// hold; the gap before the first late or coalesced event's read.
	SilenceMS float64 `json:"silence_ms"`
	// Hop names the hop that did it, when known: only a chain emulated on
	// loopback knows (chainrun.Chain.Blame). Empty for a real endpoint.
	Hop string `json:"hop"`
}

// outcomeOfFault is the outcome each fault kind gives.
func outcomeOfFault(k FaultKind) Outcome {
	switch k {
	case NoHeaders, NothingArrived, ReleasedAtEnd:
		return Held
	case Late, Coalesced:
		return Buffered
	case ErrorEvent:
		return Error
	}
	return Cut
}
