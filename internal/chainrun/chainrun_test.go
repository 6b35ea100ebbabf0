package chainrun

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

const streaming = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound></policies>`

func TestChainRelaysThroughEveryHop(t *testing.T) {
	c, err := Start(origin.Config{Events: 3, Interval: 20 * time.Millisecond}, []Hop{
		{"app_gateway", gateway.Config{AppGW: &gateway.AppGW{RequestTimeout: 30 * time.Second}}},
		{"apim", gateway.Config{APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(streaming)}}}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rep := probe.Run(context.Background(), c.URL, probe.Options{Events: 3, MaxLatency: testslack.Bound(100 * time.Millisecond)})
	if !rep.OK {
		t.Fatal(rep.Error)
	}
	// Each hop adds its header after the upstream hops': apim's, then
	// app_gateway's.
	if got := rep.Headers["X-Sseready-Gateway"]; got != "stream, stream" {
		t.Fatalf("X-Sseready-Gateway %q, want one per hop", got)
	}
}

func TestCutsNameTheHop(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	c, err := Start(origin.Config{Events: 2, Interval: 300 * time.Millisecond}, []Hop{
		{"app_gateway", gateway.Config{AppGW: &gateway.AppGW{RequestTimeout: 100 * time.Millisecond}}},
	}, func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rep := probe.Run(context.Background(), c.URL, probe.Options{Events: 2})
	c.Blame(&rep)
	if rep.Outcome != probe.Cut || rep.Fault.Hop != "app_gateway" {
		t.Fatalf("a 100 ms request timeout let a 300 ms gap through: %q, fault %+v", rep.Outcome, rep.Fault)
	}
	cuts := c.Cuts()
	if len(cuts) != 1 || cuts[0].Hop != "app_gateway" || cuts[0].Request != "GET /" || cuts[0].Silent {
		t.Fatalf("cuts %+v", cuts)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 || lines[0] != cuts[0].String() {
		t.Fatalf("logf saw %q", lines)
	}
}

func TestBadHopNamesIt(t *testing.T) {
	_, err := Start(origin.Config{}, []Hop{{"apim", gateway.Config{}}}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "apim: ") {
		t.Fatalf("error %v, want one naming the hop", err)
	}
	_, err = Start(origin.Config{Events: -1}, nil, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "origin: ") {
		t.Fatalf("error %v, want one naming the origin", err)
	}
}
