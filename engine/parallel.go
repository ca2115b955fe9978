package engine

import (
	"runtime"
	"sync"
)

// parallelGrain is the work, in elements, below which handing it to another
// goroutine costs more than it saves.
const parallelGrain = 1 << 15

// parallelParts returns the number of goroutines worth splitting n
// independent items of cost elements each across: 1 for small work, so that
// a slider drag on a small tensor starts no goroutine, and at most
// GOMAXPROCS and n.
func parallelParts(n, cost int) int {
	work := n * max(cost, 1)
	return max(1, min(runtime.GOMAXPROCS(0), n, work/parallelGrain))
}

// parallelSplit runs body(part, lo, hi) on parts contiguous chunks that
// cover [0, n), chunk p being [p·n/parts, (p+1)·n/parts), and waits for
// them; chunk 0 runs on the calling goroutine. body must write only what
// its own chunk owns, or a slot of its own part (a partial sum, say).
func parallelSplit(parts, n int, body func(part, lo, hi int)) {
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Go(func() { body(p, p*n/parts, (p+1)*n/parts) })
	}
	body(0, 0, n/parts)
	wg.Wait()
}

// parallelFor runs body over [0, n), n independent items of cost elements
// each, in the contiguous chunks of parallelSplit across
// parallelParts(n, cost) goroutines, and waits for them. body must write
// only what its own chunk owns. (It repeats parallelSplit's loop rather than
// wrapping body in a closure, which would cost an allocation per call.)
func parallelFor(n, cost int, body func(lo, hi int)) {
	parts := parallelParts(n, cost)
	if parts == 1 {
		body(0, n) // no WaitGroup either: it would be allocated
		return
	}
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Go(func() { body(p*n/parts, (p+1)*n/parts) })
	}
	body(0, n/parts)
	wg.Wait()
}
