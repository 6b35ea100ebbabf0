package streamprofile

import (
	"maps"
	"slices"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// FieldResponseHeaders is the backend's response headers in a profile
// file: the chain backend's own setting (sseready_chain_check), which
// sseready_stream_profile does not take.
const FieldResponseHeaders = "response_headers"

// profileIgnored are the keys ReadProfile accepts and does not read: the
// path's hops and their idle clocks (a plan says which hops there are and
// what their clocks are), and the data source's outputs.
var profileIgnored = []string{
	FieldHops, FieldLoadBalancerIdle, FieldContainerApps,
	"required_heartbeat_interval", "wire_silence", "appgw_request_timeout", "apim_forward_request_timeout",
	"front_door_origin_response_timeout", "backend_response_headers", "heartbeat_line", "ready", "findings",
}

// ReadProfile reads how the backend streams from a JSON of
// sseready_stream_profile's inputs (or of the whole data source, whose
// outputs are ignored) and the backend's response_headers: max_event_gap,
// heartbeat_interval and max_time_to_headers as duration strings,
// tcp_keepalive, response_headers, each under its own name, the names of
// the chain's backend object (sseready_chain_check's backend). The hops
// and their idle clocks are ignored: what is checked says which hops
// there are.
func ReadProfile(v any) (map[string]any, []*input.Error) {
	r := &plain.Reader{}
	m := r.Object(v, "profile")
	if m == nil {
		if len(r.Errs) == 0 {
			r.Fail("profile", "must be an object such as {\"max_event_gap\": \"6m\", \"heartbeat_interval\": \"20s\"}")
		}
		return nil, r.Errs
	}
	r.Keys(m, "", slices.Concat([]string{FieldMaxEventGap, FieldHeartbeat, FieldMaxTimeToHeaders, FieldTCPKeepalive, FieldResponseHeaders}, profileIgnored)...)
	out := map[string]any{}
	for _, k := range []string{FieldMaxEventGap, FieldHeartbeat, FieldMaxTimeToHeaders} {
		if s, ok := r.String(m, "", k); ok {
			if _, err := input.Duration(k, s); err != nil {
				r.Errs = append(r.Errs, err)
				continue
			}
			out[k] = s
		}
	}
	if b, ok := r.Bool(m, "", FieldTCPKeepalive); ok {
		out[FieldTCPKeepalive] = b
	}
	if h := r.Object(m[FieldResponseHeaders], FieldResponseHeaders); h != nil {
		hs := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(h)) {
			if s, ok := r.String(h, FieldResponseHeaders, k); ok {
				hs[k] = s
			}
		}
		out[FieldResponseHeaders] = hs
	}
	return out, r.Errs
}
