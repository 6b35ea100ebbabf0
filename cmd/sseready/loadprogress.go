package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/sseready/terraform-provider-sseready/internal/loadgen"
)

// progress keeps one live line on a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
}

// progressWriter returns a progress line on w when w is a terminal, else
// nil: nothing is printed to a file or a pipe.
func progressWriter(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	return &progress{w: w}
}

func (p *progress) show(s loadgen.Progress) {
	p99 := "-"
	if s.P99MS != nil {
		p99 = fmt.Sprintf("%.1f ms", *s.P99MS)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[K%4.0fs  %d streams open  %.0f events/s  p99 %s  errors %d",
		s.Elapsed.Seconds(), s.Active, s.EventsPerS, p99, s.Failed+s.Cut)
}

// done ends the line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
