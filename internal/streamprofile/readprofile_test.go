package streamprofile

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

func TestReadProfile(t *testing.T) {
	v, _ := plain.FromJSON([]byte(`{"max_event_gap": "6m", "heartbeat_interval": "20s", "tcp_keepalive": true, "hops": ["apim"],
		"load_balancer_idle_timeout": null, "response_headers": {"Content-Type": "text/event-stream"}, "ready": true, "wire_silence": "20s"}`))
	got, errs := ReadProfile(v)
	want := map[string]any{"max_event_gap": "6m", "heartbeat_interval": "20s", "tcp_keepalive": true, "response_headers": map[string]any{"Content-Type": "text/event-stream"}}
	if len(errs) > 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("%v %v", got, errs)
	}
	for in, msg := range map[string]string{
		`{"max_event_gap": "6 minutes"}`: `max_event_gap: "6 minutes" is not a duration`,
		`{"max_event_gap": 360}`:         "max_event_gap: must be a string",
		`{"max_gap": "6m"}`:              "max_gap: is not a setting sseready knows here",
		`{"response_headers": ["a"]}`:    "response_headers: must be an object",
		`["6m"]`:                         "profile: must be an object",
	} {
		v, _ := plain.FromJSON([]byte(in))
		_, errs := ReadProfile(v)
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), msg) {
			t.Errorf("%s: %v, want %q", in, errs, msg)
		}
	}
}
