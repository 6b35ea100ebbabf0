package chainrun

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// The tap counts an event when its blank line is written, whatever the
// writes' sizes and the chunk framing around them; heartbeats and a
// block without data are no events.
func TestTapCountsEventsAtTheirBlankLine(t *testing.T) {
	body := "retry: 1000\n\n" + // no data: no event
		": heartbeat\n\n" +
		"id: 1\ndata: {\"seq\":1}\n\n" +
		"data: two\r\ndata: lines\r\n\r\n" +
		": heartbeat\n\n" +
		"event: x\ndata\n\n"
	var framed strings.Builder
	framed.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
	// Chunks that split lines and events anywhere.
	for rest := body; rest != ""; {
		n := min(len(rest), 7)
		fmt.Fprintf(&framed, "%x\r\n%s\r\n", n, rest[:n])
		rest = rest[n:]
	}
	framed.WriteString("0\r\n\r\n")
	wire := framed.String()

	var whole sseTap
	if n := whole.feed([]byte(wire)); n != 3 {
		t.Fatalf("fed at once: %d events, want 3", n)
	}
	// Byte by byte, each event ends exactly where its blank line does.
	var tap sseTap
	var ends []int
	for i := range len(wire) {
		if tap.feed([]byte{wire[i]}) == 1 {
			ends = append(ends, i)
		}
	}
	var want []int
	// (A CR ends a line: the blank line of "\r\n\r\n" ends at its CR.)
	for _, marker := range []string{"{\"seq\":1}\n\n", "lines\r\n\r", "data\n\n"} {
		// Where the marker's last byte lands on the wire (the body is
		// framed in 7-byte chunks, each with its own head).
		at := strings.Index(body, marker) + len(marker) - 1
		want = append(want, wirePos(wire, at))
	}
	if fmt.Sprint(ends) != fmt.Sprint(want) {
		t.Fatalf("events ended at wire bytes %v, want %v", ends, want)
	}
	// A response with a length is read as it is.
	var sized sseTap
	if n := sized.feed([]byte("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\ndata: a\n\ndata: b\n\n")); n != 2 {
		t.Fatalf("sized: %d events", n)
	}
}

// wirePos is where the body's byte at lands in the chunked wire.
func wirePos(wire string, at int) int {
	i := strings.Index(wire, "\r\n\r\n") + 4
	seen := 0
	for {
		end := strings.Index(wire[i:], "\r\n")
		var n int
		if _, err := fmt.Sscanf(wire[i:i+end], "%x", &n); err != nil {
			panic(err)
		}
		i += end + 2
		if at < seen+n {
			return i + at - seen
		}
		seen += n
		i += n + 2
	}
}

// Through a hop that buffers, the trace shows every event held at that
// hop until the stream ends, and passed on at once by the hop in front.
func TestTraceShowsWhereEventsWereHeld(t *testing.T) {
	buffers := strings.Replace(streaming, ` buffer-response="false"`, "", 1)
	res, err := Prove(context.Background(), Run{
		Hops: []Hop{
			{"app_gateway", gateway.Config{AppGW: &gateway.AppGW{RequestTimeout: time.Hour}}},
			{"apim", gateway.Config{APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(buffers)}}}}},
		},
		Stream:    origin.Config{Events: 4, Interval: 6 * time.Second}, // 100 ms apart at 60x
		TimeScale: 60, MaxLatency: 50 * time.Millisecond, Trace: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Trace
	if tr == nil || len(tr.Hops) != 2 || tr.Hops[0].Name != "app_gateway" || tr.Hops[1].Name != "apim" {
		t.Fatalf("trace %+v", tr)
	}
	origin, apim, agw := tr.Origin.AtMS, tr.Hops[1].AtMS, tr.Hops[0].AtMS
	if len(origin) != 4 || len(apim) != 4 || len(agw) != 4 || len(tr.ClientMS) != 4 {
		t.Fatalf("passages: origin %v, apim %v, app_gateway %v, client %v", origin, apim, agw, tr.ClientMS)
	}
	for i := range 4 {
		// Each server passes an event after the one behind it did.
		if !(origin[i] <= apim[i] && apim[i] <= agw[i] && agw[i] <= tr.ClientMS[i]) {
			t.Errorf("event %d: origin %.1f, apim %.1f, app_gateway %.1f, client %.1f", i+1, origin[i], apim[i], agw[i], tr.ClientMS[i])
		}
		// API Management held it until the last was sent.
		if apim[i] < origin[3] {
			t.Errorf("event %d left apim at %.1f ms, before the origin sent the last at %.1f ms", i+1, apim[i], origin[3])
		}
	}
	// The origin sent them apart: the hold is the trace's, not the origin's.
	if origin[3]-origin[0] < 200 {
		t.Errorf("the origin sent 4 events 100 ms apart within %.1f ms", origin[3]-origin[0])
	}
	if len(res.Cuts) != 0 || len(tr.Cuts) != 0 {
		t.Errorf("cuts %+v", tr.Cuts)
	}
}

// A hop that cuts the stream is the last one its events passed, and the
// trace says when it cut.
func TestTraceShowsWhereTheStreamWasCut(t *testing.T) {
	lb := gateway.Config{Relay: &gateway.Relay{Clock: "load_balancer idle", Idle: 400 * time.Millisecond}}
	res, err := Prove(context.Background(), Run{
		Hops:   []Hop{{"load_balancer", lb}},
		Stream: origin.Config{Events: 3, Interval: 50 * time.Millisecond, SilenceAfter: 2, Silence: 2 * time.Second},
		// Azure's clock is the real one here: the relay's idle is 400 ms.
		TimeScale: 1, MaxLatency: 100 * time.Millisecond, Trace: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Trace
	if tr == nil || len(tr.Hops) != 1 || len(tr.Cuts) != 1 || tr.Cuts[0].Hop != "load_balancer" {
		t.Fatalf("trace %+v, outcome %s", tr, res.Outcome)
	}
	passed := tr.Hops[0].AtMS
	if len(passed) != 2 || len(tr.ClientMS) != 2 {
		t.Fatalf("the load balancer passed %v, the client read %v: want the two events before the silence", passed, tr.ClientMS)
	}
	if cut := tr.Cuts[0].AtMS; cut < passed[1]+300 {
		t.Errorf("cut at %.1f ms, %.1f ms after the last event: want the 400 ms idle clock's", cut, cut-passed[1])
	}
}
