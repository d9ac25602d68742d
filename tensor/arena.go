package tensor

import (
	"runtime/debug"
	"sync"
)

// Arena hands out float32 buffers for one tape's activations, gradients and saved statistics and
// takes them all back at once with Reset, so a model that runs pass after pass reuses the same memory
// instead of allocating (and the runtime zeroing and collecting) ~100 MB per training step. It is a
// bump allocator over a few large chunks; Reset merges the chunks into one as large as everything the
// pass used, so the next pass of the same (or smaller) shapes allocates nothing.
//
// Buffers are not zeroed unless asked: callers either overwrite them fully or request zeroing. After
// Reset every buffer handed out before may be reused: no Var value of a tape built on the arena may be
// read after the arena is Reset. An Arena is used by one goroutine at a time.
//
// During backward a tape hands each op output's gradient back (Recycle) once that op's backward has
// consumed it; alloc reuses such buffers for later requests of the same length. The blocks of a
// transformer have equal shapes, so the activation gradients of all layers share the buffers of about
// one layer instead of each taking its own.
type Arena struct {
	chunks [][]float32         // chunks[len-1] is being filled
	off    int                 // next free element of the last chunk
	used   int                 // elements handed out since the last Reset, padding included
	free   map[int][][]float32 // recycled buffers by length, reused before the chunks
}

// arenaAlign keeps every buffer on a 64-byte boundary relative to its chunk (16 float32s), so
// neighbouring buffers do not share cache lines.
const arenaAlign = 16

// arenaMinChunk is the smallest chunk allocated (1 Mi float32 = 4 MiB).
const arenaMinChunk = 1 << 20

// NewArena returns an empty arena; its first pass allocates the chunks later passes reuse.
func NewArena() *Arena { return &Arena{} }

// alloc returns n float32s, zeroed when zero is set and otherwise with arbitrary contents.
func (a *Arena) alloc(n int, zero bool) []float32 {
	if n <= 0 {
		return nil
	}
	if l := a.free[n]; len(l) > 0 {
		s := l[len(l)-1]
		a.free[n] = l[:len(l)-1]
		if zero {
			clear(s)
		}
		return s
	}
	size := (n + arenaAlign - 1) &^ (arenaAlign - 1)
	if len(a.chunks) == 0 || a.off+size > len(a.chunks[len(a.chunks)-1]) {
		grow := max(size, arenaMinChunk, a.used)
		a.chunks = append(a.chunks, make([]float32, grow))
		a.off = 0
	}
	c := a.chunks[len(a.chunks)-1]
	s := c[a.off : a.off+n : a.off+n]
	a.off += size
	a.used += size
	if zero {
		clear(s)
	}
	return s
}

// Floats returns n float32s from the arena with arbitrary contents, for code outside the tape that
// wants pass-scoped memory (the sampler's KV cache and packed weights). They are valid until Reset.
func (a *Arena) Floats(n int) []float32 { return a.alloc(n, false) }

// recycle takes back a buffer from alloc that nothing reads any more; a later alloc of the same
// length may return it.
func (a *Arena) recycle(s []float32) {
	if len(s) == 0 {
		return
	}
	if a.free == nil {
		a.free = map[int][][]float32{}
	}
	a.free[len(s)] = append(a.free[len(s)], s)
}

// tensor returns a tensor of the given shape backed by the arena (zeroed when zero is set).
func (a *Arena) tensor(zero bool, shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: a.alloc(n, zero)}
}

// Reset makes every buffer handed out so far reusable. When the last pass needed more than one chunk,
// they are replaced by a single chunk of the total, so the next pass of the same shapes fits in it.
//
// Before the merged chunk is allocated the old ones are handed back to the operating system
// (debug.FreeOSMemory), so that the process never holds both: at the shapes of a 135M-parameter model
// they are gigabytes, and the garbage collector would otherwise keep the old chunks until the heap
// doubled. This happens only when a pass outgrew the arena, not in the steady state.
func (a *Arena) Reset() {
	clear(a.free)
	if len(a.chunks) > 1 {
		big := a.used >= 64*arenaMinChunk // 256 MiB: worth a collection
		a.chunks = nil
		if big {
			debug.FreeOSMemory()
		}
		a.chunks = [][]float32{make([]float32, a.used)}
	}
	a.off, a.used = 0, 0
}

// ArenaPool is a free list of arenas for a model that may run several passes at once (each pass takes
// its own arena and puts it back when its buffers are no longer needed). Safe for concurrent use.
type ArenaPool struct {
	mu   sync.Mutex
	free []*Arena
}

// Get returns a free arena, or a new one when none is free.
func (p *ArenaPool) Get() *Arena {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		a := p.free[n-1]
		p.free = p.free[:n-1]
		return a
	}
	return NewArena()
}

// Put resets a and returns it to the free list. The caller must not use a, or any tensor it handed
// out, afterwards.
func (p *ArenaPool) Put(a *Arena) {
	if a == nil {
		return
	}
	a.Reset()
	p.mu.Lock()
	p.free = append(p.free, a)
	p.mu.Unlock()
}
