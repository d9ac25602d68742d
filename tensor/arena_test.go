package tensor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// poisonedArena returns a tape factory on one arena that is Reset and filled with NaN before every
// tape, so an op that reads a recycled buffer it did not write (a missing zeroing) shows up as NaN.
func poisonedArena() func() *Tape {
	a := NewArena()
	return func() *Tape {
		a.Reset()
		for _, c := range a.chunks {
			for i := range c {
				c[i] = float32(math.NaN())
			}
		}
		return NewTapeOn(a)
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %v on the arena tape, %v on a fresh tape", what, i, got[i], want[i])
		}
	}
}

// The training steps on an arena reused (and poisoned) between steps give the same bits as fresh
// tapes, with one and two cores.
func TestArenaTapeMatchesFreshTape(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	pf, lf := tinySteps(3)
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		pa, la := tinyStepsOn(3, poisonedArena())
		sameBits(t, "loss", la, lf)
		for i := range pf {
			sameBits(t, pf[i].Name, pa[i].Value.Data, pf[i].Value.Data)
		}
	}
}

// otherOps runs the ops tinySteps does not (RMSNorm, SwiGLU, SiLU, BatchedMatMul, LogSoftmaxGather
// with both seeds, an out-of-range embedding id, a Var added to itself) and returns the outputs and
// parameter gradients.
func otherOps(tp *Tape, params []*Param) (outs [][]float32) {
	const rows, d, vocab = 24, 8, 7
	ZeroGrads(params)
	ids := make([]int, rows)
	for i := range ids {
		ids[i] = (i * 5) % vocab
	}
	ids[3] = vocab                                // no row, no gradient
	x := tp.Embedding(tp.Param(params[0]), ids)   // [rows, d]
	h := tp.RMSNorm(x, tp.Param(params[1]), 1e-5) // [rows, d]
	u := tp.SwiGLU(tp.Linear(h, tp.Param(params[2]), nil), tp.SiLU(tp.Linear(h, tp.Param(params[3]), tp.Param(params[4]))))
	y := tp.Add(x, tp.Linear(u, tp.Param(params[5]), nil))
	y = tp.Add(y, y)
	bm := tp.BatchedMatMul(&Var{Value: &Tensor{Shape: []int{4, 6, d}, Data: y.Value.Data}, needsGrad: true},
		tp.Constant(&Tensor{Shape: []int{4, d, d}, Data: params[6].Value.Data}))
	logits := tp.Linear(&Var{Value: &Tensor{Shape: []int{rows, d}, Data: bm.Value.Data}}, tp.Param(params[7]), nil)
	targets := append([]int{-1}, ids[1:]...)
	logp, ent := tp.LogSoftmaxGather(logits, targets)
	gl, ge := tp.GradOf(logp), tp.GradOf(ent)
	for i := range gl.Data {
		gl.Data[i], ge.Data[i] = float32(i%3)-1, 0.1*float32(i%5)
	}
	tp.Backward()
	outs = append(outs, logp.Value.Data, ent.Value.Data)
	for _, p := range params {
		outs = append(outs, p.Grad.Data)
	}
	return outs
}

func TestArenaTapeMatchesFreshTapeOtherOps(t *testing.T) {
	const d, vocab, hid = 8, 7, 12
	rng := rand.New(rand.NewPCG(5, 6))
	params := []*Param{
		randParam(rng, "emb", vocab, d), randParam(rng, "g", d), randParam(rng, "gate", hid, d),
		randParam(rng, "up", hid, d), randParam(rng, "upb", hid), randParam(rng, "down", d, hid),
		randParam(rng, "bmm", 4*d*d), randParam(rng, "head", vocab, d),
	}
	want := otherOps(NewTape(), params)
	var wantCopy [][]float32
	for _, w := range want {
		wantCopy = append(wantCopy, append([]float32(nil), w...))
	}
	newTape := poisonedArena()
	for pass := 0; pass < 2; pass++ { // the second pass reuses the first one's (poisoned) buffers
		got := otherOps(newTape(), params)
		for i := range wantCopy {
			sameBits(t, "output/gradient "+itoa(i), got[i], wantCopy[i])
		}
	}
}

func randParam(rng *rand.Rand, name string, shape ...int) *Param {
	p := NewParam(name, shape...)
	for i := range p.Value.Data {
		p.Value.Data[i] = float32(rng.NormFloat64() * 0.5)
	}
	return p
}

func TestArenaResetMergesChunks(t *testing.T) {
	a := NewArena()
	first := a.alloc(arenaMinChunk, false)
	second := a.alloc(10, true)
	if len(a.chunks) != 2 || &first[0] == &second[0] {
		t.Fatalf("two allocations larger than a chunk should use two chunks, got %d", len(a.chunks))
	}
	for _, v := range second {
		if v != 0 {
			t.Fatalf("zeroed allocation holds %v", v)
		}
	}
	a.Reset()
	if len(a.chunks) != 1 || len(a.chunks[0]) != arenaMinChunk+arenaAlign {
		t.Fatalf("after Reset: %d chunks, want one of %d elements", len(a.chunks), arenaMinChunk+arenaAlign)
	}
	again := a.alloc(arenaMinChunk, false)
	a.alloc(10, false)
	if &again[0] != &a.chunks[0][0] || len(a.chunks) != 1 {
		t.Fatalf("the same allocations after Reset should reuse the merged chunk")
	}
	if cap(again) != arenaMinChunk {
		t.Fatalf("buffer capacity %d, want %d (appends must not run into the next buffer)", cap(again), arenaMinChunk)
	}
}

// Backward on an arena tape hands each op output's gradient back once its op has run, so a deep
// chain of equal-shaped ops needs a couple of gradient buffers, not one per op; the gradients are
// still those of a fresh tape, bit for bit.
func TestArenaRecyclesActivationGradients(t *testing.T) {
	const rows, d, depth = 16, 32, 12
	rng := rand.New(rand.NewPCG(5, 6))
	w := randParam(rng, "w", d, d)
	x0 := randTensor(rng, 1, rows, d)
	run := func(tp *Tape) []float32 {
		ZeroGrads([]*Param{w})
		wv := tp.Param(w)
		x := tp.Constant(x0)
		for i := 0; i < depth; i++ {
			x = tp.SiLU(tp.Linear(x, wv, nil)) // every output [rows, d]
		}
		g := tp.GradOf(x)
		for i := range g.Data {
			g.Data[i] = 1
		}
		tp.Backward()
		return append([]float32(nil), w.Grad.Data...)
	}
	want := run(NewTape())
	a := NewArena()
	tp := NewTapeOn(a)
	got := run(tp)
	sameBits(t, "dw", got, want)
	forward := 2 * depth * rows * d // the outputs; SiLU and Linear save nothing else
	if grads := a.used - forward; grads > 4*rows*d {
		t.Fatalf("backward took %d floats of gradient buffers (%.1f outputs' worth); want at most 4", grads, float64(grads)/float64(rows*d))
	}
}
