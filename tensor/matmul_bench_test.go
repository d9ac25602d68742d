package tensor

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/viterin/vek/vek32"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// Tiny-model training shapes, then small-model ones (4096 rows, d_model 256), then sampling (64 rows),
// then SmolLM2-135M's MLP in training (8 x 256 tokens) and in decoding (16 sequences).
// GRITDEV_GEMM=avx2 times the AVX2 kernel on an AVX-512 machine.
var benchShapes = [][3]int{{2048, 128, 384}, {2048, 128, 512}, {2048, 512, 128}, {4096, 256, 768}, {4096, 1024, 256},
	{64, 128, 64}, {64, 128, 384}, {2048, 576, 1536}, {2048, 1536, 576}, {16, 576, 1536}, {256, 49152, 576}}

func benchKernel(b *testing.B, name string, kern func(dst, a, bb []float32, m, k, n int), sizes func(m, k, n int) (int, int, int)) {
	for _, s := range benchShapes {
		m, k, n := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			nd, na, nb := sizes(m, k, n)
			dst, a, bb := make([]float32, nd), randSlice(rng, na), randSlice(rng, nb)
			b.ResetTimer()
			cpu0 := processCPUSeconds()
			for i := 0; i < b.N; i++ {
				kern(dst, a, bb, m, k, n)
			}
			flops := 2 * float64(m*k*n) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			// Per CPU second of the whole process (all threads): steadier than wall time when other
			// processes share the cores.
			b.ReportMetric(flops/(processCPUSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
		})
	}
}

// processCPUSeconds is the user + system time this process has used.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func BenchmarkMatMul(b *testing.B) {
	benchKernel(b, "MatMul", MatMul, func(m, k, n int) (int, int, int) { return m * n, m * k, k * n })
}

func BenchmarkMatMulTransB(b *testing.B) {
	benchKernel(b, "MatMulTransB", MatMulTransB, func(m, k, n int) (int, int, int) { return m * n, m * k, n * k })
}

func BenchmarkMatMulTransAAcc(b *testing.B) {
	benchKernel(b, "MatMulTransAAcc", MatMulTransAAcc, func(m, k, n int) (int, int, int) { return k * n, m * k, m * n })
}

func BenchmarkMatMulVekDirect(b *testing.B) {
	benchKernel(b, "vek", func(dst, a, bb []float32, m, k, n int) { vek32.MatMul_Into(dst, a, bb, k) },
		func(m, k, n int) (int, int, int) { return m * n, m * k, k * n })
}

// BenchmarkMatMulPackedDecode is the KV-cache sampler's product: 16 rows (one token of 16 sequences)
// times SmolLM2-135M's packed weights (attention, MLP up and down, the tied 49152-token head).
func BenchmarkMatMulPackedDecode(b *testing.B) {
	for _, s := range [][3]int{{16, 576, 576}, {16, 576, 1536}, {16, 1536, 576}, {16, 576, 49152}} {
		m, k, n := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			x, w, dst := randSlice(rng, m*k), PackWeight(randSlice(rng, n*k), n, k), make([]float32, m*n)
			b.ResetTimer()
			cpu0 := processCPUSeconds()
			for i := 0; i < b.N; i++ {
				MatMulPacked(dst, x, w, m)
			}
			flops := 2 * float64(m*k*n) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(flops/(processCPUSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
		})
	}
}
