package chainrun

import (
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

const streamingPolicy = `<policies><inbound /><backend><forward-request buffer-response="false" /></backend><outbound /></policies>`

func decodeJSON(t *testing.T, doc string) (Emulated, []string) {
	t.Helper()
	v, err := plain.FromJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	e, errs := DecodeEmulated(v, gateway.Config{})
	var out []string
	for _, err := range errs {
		out = append(out, err.Error())
	}
	return e, out
}

func TestDecodeEmulatedDefaultsAndBackend(t *testing.T) {
	e, errs := decodeJSON(t, `{"apim": {"sku_name": "StandardV2_1", "policies": [{"xml": "`+strings.ReplaceAll(streamingPolicy, `"`, `\"`)+`"}]},
		"backend": {"max_event_gap": "5m"}, "outcome": null, "hops": null}`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := e.Run.Stream
	// The backend's gap times the silence; a gap without a heartbeat means
	// the backend sends none.
	if s.Events != DefaultEvents || s.Interval != DefaultInterval || s.SilenceAfter != DefaultSilenceAfter ||
		s.Silence != 5*time.Minute || s.Heartbeat != 0 {
		t.Errorf("stream %+v", s)
	}
	if e.Run.TimeScale != DefaultTimeScale || e.Run.MaxLatency != DefaultMaxLatency {
		t.Errorf("scale %g, max latency %s", e.Run.TimeScale, e.Run.MaxLatency)
	}
	if len(e.Run.Hops) != 1 || e.Run.Hops[0].Name != "apim" || e.Run.Hops[0].Config.TimeScale != DefaultTimeScale {
		t.Errorf("hops %+v", e.Run.Hops)
	}
}

func TestDecodeEmulatedErrors(t *testing.T) {
	apim := `"apim": {"sku_name": "StandardV2_1", "policies": [{"xml": "` + strings.ReplaceAll(streamingPolicy, `"`, `\"`) + `"}]}`
	cases := []struct{ doc, want string }{
		{`{` + apim + `, "event_count": 101}`, "event_count: 101 is out of range"},
		{`{` + apim + `, "event_count": 2, "silence_after_event": 3}`, "silence_after_event: 3 is out of range"},
		{`{` + apim + `, "time_scale": 0.5}`, "time_scale: 0.5 is out of range"},
		{`{` + apim + `, "time_scale": 5000}`, "time_scale: 5000 is out of range"},
		{`{` + apim + `, "max_latency": "1m"}`, "max_latency: 1m0s is too long"},
		{`{` + apim + `, "event_interval": "0s"}`, `event_interval: "0s" is zero`},
		// 6 events 10 s apart and a 6-minute silence: 7 minutes, at scale 1 in real time too.
		{`{` + apim + `, "time_scale": 1}`, "time_scale: the test stream lasts 7m0s on Azure's clock, 7m0s at a time scale of 1"},
		{`{"backend": {"max_event_gap": "1m"}}`, "no hop is given"},
		{`{"apim": {"sku_name": "StandardV2_1"}}`, "apim: API Management needs a policy document"},
		{`{` + apim + `, "surprise": 1}`, "surprise"},
	}
	for _, tc := range cases {
		_, errs := decodeJSON(t, tc.doc)
		if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.doc, errs, tc.want)
		}
	}
}

// A value not known yet (plan time, an unapplied resource's attribute)
// builds nothing and is no error: Terraform reads the data source at
// apply instead.
func TestDecodeEmulatedUnknown(t *testing.T) {
	e, errs := DecodeEmulated(map[string]any{"apim": plain.Unknown, "time_scale": plain.Unknown}, gateway.Config{})
	if len(errs) > 0 || len(e.Run.Hops) > 0 || len(e.Chain.Unknown) == 0 {
		t.Errorf("errs %v, hops %d, unknown %v", errs, len(e.Run.Hops), e.Chain.Unknown)
	}
}
