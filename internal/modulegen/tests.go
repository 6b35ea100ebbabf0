package modulegen

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/sseready/terraform-provider-sseready/internal/input"
)

// proofSilence is the longest the emulated silence should take in real
// time; proofSlack the least real time between the wire's longest silence
// (the heartbeat) and the tightest hop clock, so a busy runner's late
// heartbeat is not taken for a cut.
const (
	proofSilence = 20 * time.Second
	proofSlack   = time.Second
)

// timeScale is the emulated stream's speed-up: at most 120 (the 4-minute
// idle cut in 2 s), lower while the heartbeat and the tightest clock would
// come closer than proofSlack, higher while the backend's silence would
// take longer than proofSilence (that wins: a test must end), within the
// emulator's 1 to 1000.
func timeScale(s Spec) int {
	b, errs := s.budget()
	if len(errs) > 0 {
		return 120
	}
	scale := 120.0
	if b.HeartbeatClock.Limit > b.WireSilence {
		scale = min(scale, float64(b.HeartbeatClock.Limit-b.WireSilence)/float64(proofSlack))
	}
	gap, _ := proofGap(s)
	scale = max(scale, math.Ceil(float64(gap)/float64(proofSilence)))
	return int(min(max(math.Floor(scale), 1), 1000))
}

// proofGap is the silence the proof keeps after its third event: the
// backend's max_event_gap, or twice the tightest clock when that is
// shorter. Twice the clock shows the heartbeat keeps every hop open as
// well as ten minutes would, and leaves the time scale free to keep
// proofSlack (a ten-minute silence at the scale that ends it within
// proofSilence left 233 ms between heartbeat and clock, and a busy runner
// cut the stream). shortened says the backend's gap was not used.
func proofGap(s Spec) (gap time.Duration, shortened bool) {
	gap, _ = input.Duration("max_event_gap", s.MaxEventGap)
	b, errs := s.budget()
	if len(errs) > 0 || b.HeartbeatClock.Limit == 0 || gap <= 2*b.HeartbeatClock.Limit {
		return gap, false
	}
	return 2 * b.HeartbeatClock.Limit, true
}

// streamTest is tests/stream.tftest.hcl: the settings stream through the
// emulated chain, a buffering policy does not, and the Consumption tier
// stops the plan.
func streamTest() ([]byte, error) {
	w := newFile()
	body := w.f.Body()
	comment(body,
		"The module's settings stream, proven on loopback with sseready_emulated_stream;",
		"a buffering policy does not, and the Consumption tier stops the plan. azurerm",
		"is mocked: no Azure account is needed, and sseready runs for real.",
		"Run it with: terraform init && terraform test")
	body.AppendNewBlock("mock_provider", []string{"azurerm"})
	body.AppendNewline()

	settings := body.AppendNewBlock("run", []string{"settings"}).Body()
	comment(settings, "apply, not plan: OpenTofu 1.8 gives later runs the outputs of applied runs only.")
	w.set(settings, "command", "apply")
	settings.AppendNewline()
	a := settings.AppendNewBlock("assert", nil).Body()
	w.set(a, "condition", "data.sseready_chain_check.this.ready")
	a.SetAttributeValue("error_message", cty.StringVal("The path as configured breaks the stream: see the stream_path check."))
	body.AppendNewline()

	prove := func(name string, vars map[string]string, asserts [][2]string) {
		b := body.AppendNewBlock("run", []string{name}).Body()
		w.set(b, "command", "plan")
		m := b.AppendNewBlock("module", nil).Body()
		m.SetAttributeValue("source", cty.StringVal("./tests/prove"))
		v := b.AppendNewBlock("variables", nil).Body()
		w.set(v, "chain", "run.settings.chain")
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			v.SetAttributeValue(k, cty.StringVal(vars[k]))
		}
		for _, as := range asserts {
			b.AppendNewline()
			ab := b.AppendNewBlock("assert", nil).Body()
			w.set(ab, "condition", as[0])
			w.set(ab, "error_message", as[1])
		}
		body.AppendNewline()
	}
	prove("settings_stream", nil, [][2]string{
		{`output.outcome == "streamed"`, `"The settings did not stream: ${output.outcome}: ${output.message}"`},
		{`length(output.events) == 6 && alltrue([for e in output.events : e.latency_ms < 500])`, `"Every event must arrive, each within 500 ms of being sent."`},
	})
	comment(body, "forward-request without buffer-response=\"false\" buffers the response.")
	prove("buffering_policy_does_not_stream", map[string]string{"policy_xml": buffersForTest}, [][2]string{
		{`output.outcome != "streamed" && contains([for h in output.hops : h.outcome], output.outcome)`, `"A buffering policy must not stream, and a hop must be blamed; got ${output.outcome}."`},
	})

	c := body.AppendNewBlock("run", []string{"consumption_tier_stops_the_plan"}).Body()
	w.set(c, "command", "plan")
	v := c.AppendNewBlock("variables", nil).Body()
	v.SetAttributeValue("api_management_sku_name", cty.StringVal("Consumption_0"))
	w.set(c, "expect_failures", "[var.api_management_sku_name]")
	return w.bytes()
}

// proveModule is tests/prove/main.tf: the helper that runs the chain
// output through sseready_emulated_stream.
func proveModule(s Spec) ([]byte, error) {
	w := newFile()
	body := w.f.Body()
	comment(body, "A test helper, not part of the module: runs a test stream through the",
		"emulated path with the settings a run of the module produced (its chain",
		"output), on loopback, with Azure's clocks sped up. No Azure account, no",
		"credentials, no network.")
	tf := body.AppendNewBlock("terraform", nil).Body()
	rp := tf.AppendNewBlock("required_providers", nil).Body()
	rp.SetAttributeValue("sseready", cty.ObjectVal(map[string]cty.Value{"source": cty.StringVal("sseready/sseready")}))
	body.AppendNewline()

	chain := body.AppendNewBlock("variable", []string{"chain"}).Body()
	chain.SetAttributeValue("description", cty.StringVal("The module's chain output."))
	w.set(chain, "type", "any")
	body.AppendNewline()
	pol := body.AppendNewBlock("variable", []string{"policy_xml"}).Body()
	pol.SetAttributeValue("description", cty.StringVal("Another API policy to prove instead of the module's."))
	w.set(pol, "type", "string")
	w.set(pol, "default", "null")
	body.AppendNewline()

	comment(body, "Variations are composed here: run blocks may not call functions on OpenTofu 1.8.")
	locals := body.AppendNewBlock("locals", nil).Body()
	w.set(locals, "apim", `{
sku_name    = var.chain.apim.sku_name
policies    = var.policy_xml == null ? var.chain.apim.policies : [{ scope = "api", xml = var.policy_xml }]
fragments   = var.chain.apim.fragments
diagnostics = var.chain.apim.diagnostics
}`)
	body.AppendNewline()

	ds := body.AppendNewBlock("data", []string{"sseready_emulated_stream", "this"}).Body()
	for _, h := range []string{"front_door", "app_gateway"} {
		if s.Has(h) {
			w.set(ds, h, "var.chain."+h)
		}
	}
	w.set(ds, "apim", "local.apim")
	if gap, shortened := proofGap(s); shortened {
		comment(ds, fmt.Sprintf("The proof's silence: twice the tightest clock on the path (%s), which shows the", gap/2),
			"heartbeat keeps every hop open as the whole max_event_gap would, in less time.")
		w.set(ds, "backend", fmt.Sprintf("merge(var.chain.backend, { max_event_gap = %q })", gap.String()))
	} else {
		w.set(ds, "backend", "var.chain.backend")
	}
	ds.SetAttributeValue("time_scale", cty.NumberIntVal(int64(timeScale(s))))
	comment(ds, "The request a streaming LLM client sends: API Management runs the policy for it, so a",
		"<choose> on the stream flag takes the streaming branch.")
	w.set(ds, "body", "jsonencode({ stream = true })")
	body.AppendNewline()
	for _, o := range []struct{ name, value string }{
		{"outcome", "data.sseready_emulated_stream.this.outcome"},
		{"message", `coalesce(data.sseready_emulated_stream.this.message, "-")`},
		{"hops", "data.sseready_emulated_stream.this.hops"},
		{"events", "data.sseready_emulated_stream.this.events"},
	} {
		b := body.AppendNewBlock("output", []string{o.name}).Body()
		w.set(b, "value", o.value)
		body.AppendNewline()
	}
	return w.bytes()
}
