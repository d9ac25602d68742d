package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// withKernel runs f with the AVX-512 kernels on or off (the package-level switch GRITDEV_GEMM sets).
func withKernel(avx512 bool, f func()) {
	saved := haveAVX512
	haveAVX512 = avx512
	defer func() { haveAVX512 = saved }()
	f()
}

// gemmEntryPoints are every matrix product of the package, each given operands sized for m, k, n
// and returning its output (accumulating ones start from a fixed random C).
var gemmEntryPoints = map[string]func(rng *rand.Rand, m, k, n int) func() []float32{
	"MatMul": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		return func() []float32 { d := make([]float32, m*n); MatMul(d, a, b, m, k, n); return d }
	},
	"MatMulTransB": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b := randSlice(rng, m*k), randSlice(rng, n*k)
		return func() []float32 { d := make([]float32, m*n); MatMulTransB(d, a, b, m, k, n); return d }
	},
	"MatMulTransAAcc": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b, c := randSlice(rng, k*m), randSlice(rng, k*n), randSlice(rng, m*n)
		return func() []float32 { d := append([]float32(nil), c...); MatMulTransAAcc(d, a, b, k, m, n); return d }
	},
	"matMulAcc": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m*n)
		return func() []float32 { d := append([]float32(nil), c...); matMulAcc(d, a, b, m, k, n); return d }
	},
	"MatMulPacked": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, w := randSlice(rng, m*k), randSlice(rng, n*k)
		return func() []float32 { d := make([]float32, m*n); MatMulPacked(d, a, PackWeight(w, n, k), m); return d }
	},
	"matMulRows": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		return func() []float32 { d := make([]float32, m*n); matMulRows(d, a, b, m, k, n); return d }
	},
	"matMulTransBRows": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b := randSlice(rng, m*k), randSlice(rng, n*k)
		return func() []float32 { d := make([]float32, m*n); matMulTransBRows(d, a, b, m, k, n); return d }
	},
	"matMulTransARowsAcc": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b, c := randSlice(rng, k*m), randSlice(rng, k*n), randSlice(rng, m*n)
		return func() []float32 { d := append([]float32(nil), c...); matMulTransARowsAcc(d, a, b, m, k, n); return d }
	},
	"matMulTransBRowsAcc": func(rng *rand.Rand, m, k, n int) func() []float32 {
		a, b, c := randSlice(rng, m*k), randSlice(rng, n*k), randSlice(rng, m*n)
		return func() []float32 { d := append([]float32(nil), c...); matMulTransBRowsAcc(d, a, b, m, k, n); return d }
	},
}

// The AVX-512 kernels (8x16/32/48 tiles) must give every output element the same float32 bits as
// the AVX2 6x16 kernel, for every entry point and for ragged shapes: edges in m, n and k, k = 1,
// k across the gemmKC slices, and products large enough to be split over a grid of blocks.
func TestGemmAVX512BitIdenticalToAVX2(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512 on this CPU (or GRITDEV_GEMM=avx2): only the AVX2 kernel runs")
	}
	ms := []int{1, 5, 6, 8, 13, 16, 47}
	ks := []int{1, 7, 256, 257, 600}
	ns := []int{1, 15, 16, 17, 33, 48, 49, 100}
	shapes := [][3]int{{301, 70, 203}, {40, 300, 500}, {700, 33, 17}, {13, 129, 1000}, {16, 576, 1536}, {96, 130, 192}}
	for _, m := range ms {
		for _, k := range ks {
			for _, n := range ns {
				shapes = append(shapes, [3]int{m, k, n})
			}
		}
	}
	rng := rand.New(rand.NewPCG(21, 22))
	compared := 0
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		for name, mk := range gemmEntryPoints {
			run := mk(rng, m, k, n)
			var z, y []float32
			withKernel(true, func() { z = run() })
			withKernel(false, func() { y = run() })
			for i := range y {
				if math.Float32bits(z[i]) != math.Float32bits(y[i]) {
					t.Fatalf("%s %dx%dx%d element %d: AVX-512 %v (%#08x), AVX2 %v (%#08x)", name, m, k, n, i,
						z[i], math.Float32bits(z[i]), y[i], math.Float32bits(y[i]))
				}
			}
			compared += len(y)
		}
	}
	t.Logf("%d elements compared over %d shapes", compared, len(shapes))
}

// Each AVX-512 kernel against the AVX2 one on a single tile: same bits, zero and accumulate start,
// k = 0 and 1, and nothing written outside the tile (ldc wider than the tile).
func TestGemmAVX512KernelTile(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512 on this CPU (or GRITDEV_GEMM=avx2)")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	for panels := 1; panels <= 3; panels++ {
		w := panels * gemmNR
		ldc := w + 5
		for _, k := range []int{0, 1, 2, 31, 64} {
			a := randSlice(rng, k*gemmMRZ) // [k, 8]: lda = 1, astep = 8
			b := randSlice(rng, panels*k*gemmNR)
			for _, add := range []bool{false, true} {
				c0 := randSlice(rng, gemmMRZ*ldc+3)
				z, y := append([]float32(nil), c0...), append([]float32(nil), c0...)
				gemmAVX512(panels, a, 1, gemmMRZ, b, gemmNR, gemmNR*k, z, ldc, k, add)
				for q := 0; q < panels; q++ { // 8 rows as 6 + 2 (the last two on a padded copy of A)
					gemm6x16(a, 1, gemmMRZ, b[q*gemmNR*k:], gemmNR, y[q*gemmNR:], ldc, k, add)
					a2 := make([]float32, k*gemmMR)
					for p := 0; p < k; p++ {
						copy(a2[p*gemmMR:p*gemmMR+2], a[p*gemmMRZ+6:p*gemmMRZ+8])
					}
					var t6 [gemmMR * gemmNR]float32
					for r := 0; r < 2; r++ {
						copy(t6[r*gemmNR:(r+1)*gemmNR], y[(6+r)*ldc+q*gemmNR:])
					}
					gemm6x16(a2, 1, gemmMR, b[q*gemmNR*k:], gemmNR, t6[:], gemmNR, k, add)
					for r := 0; r < 2; r++ {
						copy(y[(6+r)*ldc+q*gemmNR:(6+r)*ldc+(q+1)*gemmNR], t6[r*gemmNR:(r+1)*gemmNR])
					}
				}
				for i := range y {
					if math.Float32bits(z[i]) != math.Float32bits(y[i]) {
						t.Fatalf("%s k=%d add=%v element %d (row %d col %d): AVX-512 %v, AVX2 %v",
							fmt.Sprintf("gemm8x%dz", w), k, add, i, i/ldc, i%ldc, z[i], y[i])
					}
				}
				for i := range c0 {
					if r, col := i/ldc, i%ldc; (r >= gemmMRZ || col >= w) && z[i] != c0[i] {
						t.Fatalf("gemm8x%dz k=%d: wrote outside its tile at row %d col %d", w, k, r, col)
					}
				}
			}
		}
	}
}
