package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/pagetest"
)

// browserEvent is what the page saw of one message event: its data, its
// lastEventId and when it was dispatched (Unix milliseconds, with the
// fraction performance.now gives).
type browserEvent struct {
	Data        string  `json:"data"`
	LastEventID string  `json:"lastEventId"`
	AtUnixMS    float64 `json:"at"`
}

// eventSourcePage opens an EventSource on the stream and posts every
// message event back as it is dispatched, then closes after want events
// (so the browser does not reconnect) and, once every post is through,
// says it is done. An error before that is posted too.
var eventSourcePage = template.Must(template.New("page").Parse(`<!doctype html>
<title>sseready EventSource test</title>
<script>
const post = (path, body) => fetch(path, {method: "POST", body: JSON.stringify(body)});
const es = new EventSource({{.Stream}});
const posted = [];
es.onmessage = (e) => {
  posted.push(post("/event", {data: e.data, lastEventId: e.lastEventId, at: performance.timeOrigin + performance.now()}));
  if (posted.length === {{.Want}}) { es.close(); Promise.all(posted).then(() => post("/done", {})); }
};
es.onerror = () => post("/error", {readyState: es.readyState});
</script>`))

// browserEvents serves the page, opens it in headless Chromium and returns
// the events the page saw once it saw want of them, or what it saw by the
// deadline. It fails the test on an EventSource error before then.
func browserEvents(t *testing.T, stream string, want int, deadline time.Duration) []browserEvent {
	t.Helper()
	var (
		mu     sync.Mutex
		events []browserEvent
		errs   []string
		done   = make(chan struct{})
		once   sync.Once
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = eventSourcePage.Execute(w, struct {
			Stream string
			Want   int
		}{stream, want})
	})
	mux.HandleFunc("POST /event", func(w http.ResponseWriter, r *http.Request) {
		var e browserEvent
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	mux.HandleFunc("POST /error", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		errs = append(errs, fmt.Sprint(body))
		mu.Unlock()
	})
	mux.HandleFunc("POST /done", func(w http.ResponseWriter, r *http.Request) { once.Do(func() { close(done) }) })
	page := httptest.NewServer(mux)
	defer page.Close()

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	browser := pagetest.Open(t, page.URL+"/")
	select {
	case <-done:
	case <-ctx.Done():
	case <-browser.Exited():
		t.Fatalf("chromium exited before the page was done: %v\nconsole:\n%s", browser.Err(), strings.Join(browser.Close(), "\n"))
	}
	console := browser.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(events) < want && len(errs) > 0 {
		t.Fatalf("the EventSource failed after %d events: %v\nconsole:\n%s", len(events), errs, strings.Join(console, "\n"))
	}
	// The posts may overtake each other; the dispatch times order them.
	sorted := append([]browserEvent(nil), events...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].AtUnixMS < sorted[j].AtUnixMS })
	return sorted
}
