package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// reportElems reports elements per wall second and per CPU second of the whole process (steadier
// than wall time when other processes share the cores).
func reportElems(b *testing.B, elems int, cpu0 float64) {
	total := float64(elems) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e6, "Melem/s")
	if cpu := processCPUSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(total/cpu/1e6, "Melem/cpu-s")
	}
}

// BenchmarkAdamWStep times AdamW.Step on one [rows, 576] weight (decayed) with each loop choice
// (go, and avx2 where the CPU has it) in the same binary: 4.2M elements, and 134.5M =
// SmolLM2-135M's parameter count (2.2 GB of weights, gradients and moments; skipped with -short).
func BenchmarkAdamWStep(b *testing.B) {
	for _, rows := range []int{7296, 233533} {
		n := rows * 576
		if testing.Short() && n > 1<<24 {
			continue
		}
		var p *Param
		for _, path := range simdPaths(nil) {
			b.Run(fmt.Sprintf("n=%d/%s", n, path.name), func(b *testing.B) {
				if p == nil {
					rng := rand.New(rand.NewPCG(1, 1))
					p = NewParam("w", rows, 576)
					fillMixed(rng, p.Value.Data, false)
					fillMixed(rng, p.Grad.Data, false)
				}
				opt := NewAdamW(0.9, 0.95, 1e-8, 0.1)
				withSIMD(path.simd, func() {
					opt.Step([]*Param{p}, 3e-4) // moments allocated outside the timing
					b.ResetTimer()
					cpu0 := processCPUSeconds()
					for i := 0; i < b.N; i++ {
						opt.Step([]*Param{p}, 3e-4)
					}
					reportElems(b, n, cpu0)
				})
			})
		}
	}
}

// BenchmarkSigmoid times sigmoidInto (clamp, vek's exp, reciprocal) on one thread as it was before
// (Go loops, one pass over the whole slice each) and with each loop choice now (2048-element blocks): one elementwise chunk (4096, in cache) and one SwiGLU gate of SmolLM2-135M's training step
// (8 x 256 tokens x 1536).
func BenchmarkSigmoid(b *testing.B) {
	for _, n := range []int{4096, 8 * 256 * 1536} {
		rng := rand.New(rand.NewPCG(2, 3))
		x, s := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 4)
		}
		b.Run(fmt.Sprintf("n=%d/before", n), func(b *testing.B) { // the loops as they were: Go, whole slice per pass
			cpu0 := processCPUSeconds()
			for i := 0; i < b.N; i++ {
				sigmoidReference(s, x)
			}
			reportElems(b, n, cpu0)
		})
		for _, path := range simdPaths(nil) {
			b.Run(fmt.Sprintf("n=%d/%s", n, path.name), func(b *testing.B) {
				withSIMD(path.simd, func() {
					b.ResetTimer()
					cpu0 := processCPUSeconds()
					for i := 0; i < b.N; i++ {
						sigmoidInto(s, x)
					}
					reportElems(b, n, cpu0)
				})
			})
		}
	}
}
