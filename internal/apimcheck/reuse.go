package apimcheck

import (
	"slices"
	"sync"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// checkers keeps checkers between calls of Check: a checker, its flow pass
// and the lists they fill are allocated anew for each document otherwise,
// and on a busy machine allocating them cost more than the check itself.
// Only the lists' storage survives a check (see release).
var checkers = sync.Pool{New: func() any { return new(checker) }}

// kept is the storage a pooled checker lends its next check.
type kept struct {
	records []elemRecord
	flows   []elemFlow
	stack   []*apimpolicy.Element
	found   []*found
}

// getChecker is newChecker, from the pool; release the checker when its
// result is taken.
func getChecker(opts Options) *checker {
	c, ok := checkers.Get().(*checker)
	if !ok {
		c = new(checker)
	}
	keep := c.keep
	*c = *newChecker(opts)
	c.keep, c.expandStack, c.found, c.pooled = keep, keep.stack, keep.found, true
	return c
}

// release empties c, so that it keeps no document alive, and returns it
// to the pool. Nothing of c may be used after: what the result holds was
// copied out of it.
func (c *checker) release() {
	if !c.pooled {
		return
	}
	f := &c.ownFlow
	clear(f.records) // appended only: past len they are zero already
	clear(f.flows)
	clear(c.expandStack[:cap(c.expandStack)])
	clear(c.found)
	*c = checker{keep: kept{records: f.records[:0], flows: f.flows[:0], stack: c.expandStack[:0], found: c.found[:0]}}
	checkers.Put(c)
}

// reuse returns s emptied, with room for n items.
func reuse[T any](s []T, n int) []T { return slices.Grow(s[:0], n) }
