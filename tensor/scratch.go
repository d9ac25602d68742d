package tensor

import (
	"math/bits"
	"sync"
)

// Scratch buffers: power-of-two size classes recycled through sync.Pools, so hot kernels do not
// allocate on every call. Buffers come back with arbitrary contents; callers overwrite or zero them.
var scratchPools [40]sync.Pool

func getScratch(n int) []float32 {
	if n <= 0 {
		return nil
	}
	class := bits.Len(uint(n - 1))
	if p, ok := scratchPools[class].Get().(*[]float32); ok {
		return (*p)[:n]
	}
	return make([]float32, n, 1<<class)
}

func putScratch(s []float32) {
	c := cap(s)
	if c == 0 || c&(c-1) != 0 {
		return // not from getScratch
	}
	s = s[:c]
	scratchPools[bits.Len(uint(c-1))].Put(&s)
}
