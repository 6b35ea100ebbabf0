package apimcheck

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

// Parsers and checkers come from pools: a result, a document and its
// printed text must owe nothing to the storage a later parse or check
// reuses, and checks at once must not share it. Every real policy is
// parsed, checked and printed once alone; then all of them again from
// four goroutines at once, each in its own order; then the first
// results are compared with what they said before any of that.
func TestPooledParseAndCheckShareNothing(t *testing.T) {
	files := testcorpus.APIMPolicies()
	type outcome struct{ printed, findings string }
	run := func(src []byte) (outcome, *apimpolicy.Document, Result) {
		doc, err := apimpolicy.Parse(src)
		if err != nil {
			return outcome{printed: "parse error: " + err.Error()}, nil, Result{}
		}
		res := Check(doc, Options{})
		return outcome{doc.String(), fmt.Sprintf("%+v", res)}, doc, res
	}
	want := make([]outcome, len(files))
	docs := make([]*apimpolicy.Document, len(files))
	results := make([]Result, len(files))
	for i, f := range files {
		want[i], docs[i], results[i] = run(f.Data)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range files {
				i := (k*(g+1) + g) % len(files)
				if got, _, _ := run(files[i].Data); got != want[i] {
					t.Errorf("%s: parsed and checked beside others, it printed or found otherwise", files[i].Name)
				}
			}
		}()
	}
	wg.Wait()
	for i, f := range files {
		if docs[i] == nil {
			continue
		}
		if got := (outcome{docs[i].String(), fmt.Sprintf("%+v", results[i])}); got != want[i] {
			t.Errorf("%s: its document or result changed after later parses and checks", f.Name)
		}
	}
}
