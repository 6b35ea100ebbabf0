package streamcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

func TestParse(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		raw  Raw
		want string // the first error, "" for none
		spec func(Spec) bool
	}{
		{raw: Raw{URL: "https://apim.example/chat"}, spec: func(s Spec) bool {
			return s.Expect.MinEvents == 1 && s.Expect.Duration == DefaultDuration && s.Request.Method == ""
		}},
		{raw: Raw{URL: "https://apim.example/chat", Body: `{"stream":true}`}, spec: func(s Spec) bool { return s.Request.Method == "POST" }},
		{raw: Raw{URL: "https://apim.example/chat", Body: `{}`, Method: "PUT", MinEvents: n(3), Duration: "10s", MaxFirstEvent: "2s"}, spec: func(s Spec) bool {
			return s.Request.Method == "PUT" && s.Expect == Expect{MinEvents: 3, MaxFirstEvent: 2 * time.Second, Duration: 10 * time.Second}
		}},
		{raw: Raw{URL: "apim.example/chat"}, want: `url: "apim.example/chat" is not an http(s) URL`},
		{raw: Raw{URL: "https://a.example/", Method: "GE T"}, want: `method: "GE T" is not an HTTP method`},
		{raw: Raw{URL: "https://a.example/", Duration: "31m"}, want: "duration: 31m0s is longer than 30m0s"},
		{raw: Raw{URL: "https://a.example/", Duration: "0s"}, want: `duration: "0s" is zero`},
		{raw: Raw{URL: "https://a.example/", MinEvents: n(0)}, want: "min_events: 0: a stream must deliver at least 1 event"},
		{raw: Raw{URL: "https://a.example/", MaxFirstEvent: "1m"}, want: "max_first_event: 1m0s is longer than duration (30s)"},
	}
	for _, tt := range tests {
		s, errs := Parse(tt.raw)
		switch {
		case tt.want == "" && len(errs) > 0:
			t.Errorf("%+v: %v", tt.raw, errs)
		case tt.want != "" && (len(errs) == 0 || !strings.HasPrefix(errs[0].Error(), tt.want)):
			t.Errorf("%+v: errors %v, want %q", tt.raw, errs, tt.want)
		case tt.spec != nil && !tt.spec(s):
			t.Errorf("%+v: spec %+v", tt.raw, s)
		}
	}
}

// Run against real streams on loopback: one that meets the expectations,
// one too short, one whose first event is late, one refused. Each missed
// expectation names its attribute, and a failing outcome its rules.
func TestRun(t *testing.T) {
	ticker, err := origin.New(origin.Config{Events: 3, Interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// slow sends its headers at once and its one event 400 ms later.
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		time.Sleep(400 * time.Millisecond)
		_, _ = w.Write([]byte("data: late\n\n"))
	})
	srv := map[string]*httptest.Server{
		"ticker":  httptest.NewServer(ticker),
		"slow":    httptest.NewServer(slow),
		"refused": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusServiceUnavailable) })),
	}
	for _, s := range srv {
		t.Cleanup(s.Close)
	}
	tests := []struct {
		name, server string
		expect       Expect
		problems     []string // each problem's field and, for the outcome, its first rule
	}{
		{"meets every expectation", "ticker", Expect{MinEvents: 3, MaxFirstEvent: 2 * time.Second, Duration: 5 * time.Second}, nil},
		{"fewer events than min_events", "ticker", Expect{MinEvents: 5, Duration: 5 * time.Second}, []string{"min_events"}},
		{"first event later than max_first_event", "slow", Expect{MinEvents: 1, MaxFirstEvent: 100 * time.Millisecond, Duration: 5 * time.Second}, []string{"max_first_event"}},
		{"refused", "refused", Expect{MinEvents: 1, Duration: 5 * time.Second}, []string{"refused SSE201"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Run(context.Background(), Spec{URL: srv[tt.server].URL, Expect: tt.expect})
			var got []string
			for _, p := range res.Problems {
				k := p.Field
				if k == "" {
					k = string(p.Outcome) + " " + p.Rules[0]
				}
				got = append(got, k)
			}
			if strings.Join(got, ",") != strings.Join(tt.problems, ",") || res.OK() != (len(tt.problems) == 0) {
				t.Fatalf("problems %q, want %q: %v", got, tt.problems, res.Problems)
			}
			if res.Report.Outcome == probe.Streamed && tt.server == "refused" {
				t.Error("a 503 streamed")
			}
		})
	}
}
