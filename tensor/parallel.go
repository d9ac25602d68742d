package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// maxChunks bounds how many pieces Parallel cuts [0,n) into. The partition depends only on n (and on
// the grain for parallelGrain), never on GOMAXPROCS, so any per-chunk computation, and any fixed-order
// reduction over chunks, gives bit-identical results on any number of cores.
const maxChunks = 16

// Parallel runs fn over a fixed partition of [0,n): min(n, 16) contiguous chunks of near-equal size,
// on up to GOMAXPROCS goroutines. fn must only write outputs owned by its chunk. It returns when all
// chunks are done; with one usable core the chunks run in order on the calling goroutine.
func Parallel(n int, fn func(lo, hi int)) { parallelGrain(n, 1, fn) }

// parallelGrain is Parallel with chunks of at least grain items (so tiny work is not split).
func parallelGrain(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := (n + grain - 1) / grain
	if chunks > maxChunks {
		chunks = maxChunks
	}
	bounds := func(c int) (int, int) { return c * n / chunks, (c + 1) * n / chunks }
	workers := runtime.GOMAXPROCS(0)
	if workers > chunks {
		workers = chunks
	}
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			fn(bounds(c))
		}
		return
	}
	var next atomic.Int64
	run := func() {
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			fn(bounds(c))
		}
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() { defer wg.Done(); run() }()
	}
	run()
	wg.Wait()
}
