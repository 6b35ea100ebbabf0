package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func originURL(t *testing.T, cfg origin.Config) string {
	h, err := origin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, h)
}

func TestCleanStream(t *testing.T) {
	url := originURL(t, origin.Config{Events: 5, Interval: 20 * time.Millisecond, Heartbeat: 5 * time.Millisecond})
	rep := Run(context.Background(), url, Options{Events: 5})
	if !rep.OK || rep.Error != "" || len(rep.Events) != 5 || rep.Cut || rep.BufferingSuspected {
		t.Fatalf("report %+v", rep)
	}
	if rep.Status != 200 || rep.ContentType != "text/event-stream" || rep.FirstEventMS == nil || rep.Heartbeats == 0 {
		t.Fatalf("status %d type %q first %v heartbeats %d", rep.Status, rep.ContentType, rep.FirstEventMS, rep.Heartbeats)
	}
	for i, e := range rep.Events {
		if e.LatencyMS == nil || *e.LatencyMS < 0 || *e.LatencyMS > 100 {
			t.Errorf("event %d latency %v", i, e.LatencyMS)
		}
		if i > 0 && e.ArrivalMS-rep.Events[i-1].ArrivalMS < 10 {
			t.Errorf("events %d and %d arrived %.1f ms apart, sent 20 ms apart", i-1, i, e.ArrivalMS-rep.Events[i-1].ArrivalMS)
		}
	}
}

// held sends events whose sent_unix_nano is older than their arrival by
// delay, as a proxy that holds them would deliver them.
func held(delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "data: {\"seq\":%d,\"sent_unix_nano\":%d}\n\n", i, time.Now().Add(-delay).UnixNano())
			_ = http.NewResponseController(w).Flush()
		}
	})
}

// burst sends events stamped 50 ms apart in one write, as a buffering
// proxy releases them.
func burst() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		now := time.Now()
		var b strings.Builder
		for i := 1; i <= 6; i++ {
			fmt.Fprintf(&b, "data: {\"seq\":%d,\"sent_unix_nano\":%d}\n\n", i, now.Add(time.Duration(i-6)*50*time.Millisecond).Add(-time.Millisecond).UnixNano())
		}
		// Arrival must follow sending: the last stamp is 1 ms ago.
		_, _ = w.Write([]byte(b.String()))
	})
}

// cutAfter sends n events and then drops the connection mid-response.
func cutAfter(n int, silence time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			_ = http.NewResponseController(w).Flush()
		}
		time.Sleep(silence)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name    string
		h       http.Handler
		opts    Options
		want    string
		cut     bool
		buffers bool
	}{
		{name: "held events", h: held(2 * time.Second), opts: Options{Events: 3},
			want: "buffering suspected: 3 of 3 events arrived more than 500ms after they were sent", buffers: true},
		{name: "burst", h: burst(), opts: Options{Events: 6},
			want: "buffering suspected: 5 of 5 events sent at least 10 ms apart arrived together", buffers: true},
		{name: "cut mid-stream", h: cutAfter(2, 100*time.Millisecond), opts: Options{Events: 5},
			want: "the stream broke off", cut: true},
		{name: "ended early", h: originHandler(t, origin.Config{Events: 2}), opts: Options{Events: 5},
			want: "the stream ended after 2 of 5 events", cut: true},
		{name: "wrong status", h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "tier refuses", http.StatusServiceUnavailable)
		}),
			want: "status 503, not 200: an EventSource fails the connection (tier refuses)"},
		{name: "wrong type", h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "{}")
		}), want: `Content-Type "application/json" is not text/event-stream`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Run(context.Background(), serve(t, tt.h), tt.opts)
			if rep.OK || !strings.HasPrefix(rep.Error, tt.want) {
				t.Fatalf("ok %v error %q, want %q", rep.OK, rep.Error, tt.want)
			}
			if rep.Cut != tt.cut || rep.BufferingSuspected != tt.buffers {
				t.Fatalf("cut %v buffering %v", rep.Cut, rep.BufferingSuspected)
			}
			if tt.cut && tt.name == "cut mid-stream" && (rep.SilenceBeforeCutMS == nil || *rep.SilenceBeforeCutMS < 90) {
				t.Fatalf("silence before the cut %v, want about 100 ms", rep.SilenceBeforeCutMS)
			}
		})
	}
}

func originHandler(t *testing.T, cfg origin.Config) http.Handler {
	h, err := origin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestDurationEndsCleanly(t *testing.T) {
	url := originURL(t, origin.Config{Interval: 10 * time.Millisecond})
	rep := Run(context.Background(), url, Options{Duration: 150 * time.Millisecond})
	if !rep.OK || rep.Cut || len(rep.Events) < 5 {
		t.Fatalf("ok %v cut %v events %d error %q", rep.OK, rep.Cut, len(rep.Events), rep.Error)
	}
}

func TestJudgeEnd(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	stopped, stop := context.WithCancel(context.Background())
	stop()
	live := context.Background()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		opts Options
		got  int
		cut  bool
		msg  string
	}{
		{"the probe's duration ran out", expired, context.DeadlineExceeded, Options{Duration: time.Second}, 2, false, ""},
		{"the user stopped the probe", stopped, context.Canceled, Options{}, 2, false, ""},
		{"the stream ended within --duration", live, io.EOF, Options{Duration: time.Minute}, 3, false, ""},
		{"the stream ended short of --events", live, io.EOF, Options{Events: 5}, 3, true, "the stream ended after 3 of 5 events"},
		{"the stream ended with all events", live, io.EOF, Options{Events: 3}, 3, false, ""},
		{"the connection broke", live, io.ErrUnexpectedEOF, Options{}, 1, true, "the stream broke off: unexpected EOF"},
	} {
		cut, msg := judgeEnd(tt.ctx, tt.err, tt.opts, tt.got)
		if cut != tt.cut || msg != tt.msg {
			t.Errorf("%s: cut %v %q, want %v %q", tt.name, cut, msg, tt.cut, tt.msg)
		}
	}
}
