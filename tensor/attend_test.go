package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// DotRows and WeightedRows against float64 sums, for head sizes that take the assembly paths (8, 32,
// 64) and ones that do not (4, 12).
func TestSingleQueryAttentionKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, hd := range []int{4, 8, 12, 32, 64} {
		for _, n := range []int{1, 7, 70} {
			q, k, w := randSlice(rng, hd), randSlice(rng, n*hd), randSlice(rng, n)
			dots := make([]float32, n)
			DotRows(dots, q, k, n, hd)
			for p := 0; p < n; p++ {
				var want float64
				for i := 0; i < hd; i++ {
					want += float64(q[i]) * float64(k[p*hd+i])
				}
				assertClose(t, fmt.Sprintf("DotRows hd=%d n=%d p=%d", hd, n, p), dots[p:p+1], []float32{float32(want)}, hd)
			}
			out := randSlice(rng, hd+1) // the element past hd must stay untouched
			last := out[hd]
			WeightedRows(out, w, k, n, hd)
			for i := 0; i < hd; i++ {
				var want float64
				for p := 0; p < n; p++ {
					want += float64(w[p]) * float64(k[p*hd+i])
				}
				assertClose(t, fmt.Sprintf("WeightedRows hd=%d n=%d i=%d", hd, n, i), out[i:i+1], []float32{float32(want)}, n)
			}
			if out[hd] != last {
				t.Fatalf("WeightedRows hd=%d wrote past dst[hd]", hd)
			}
		}
	}
}

// The assembly paths must give each element the bits of the one-at-a-time path: DotRows runs four
// keys side by side (compared with each key alone, n = 1), WeightedRows 64 columns at a time
// (compared with the 32-column kernel). Both run in the sampler and in training.
func TestSingleQueryAttentionBlockedPathsBitIdentical(t *testing.T) {
	if !haveFMA {
		t.Skip("no AVX2: only the Go loops run")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	for _, hd := range []int{8, 64, 128} {
		for _, n := range []int{1, 3, 4, 5, 8, 70, 193} {
			q, k, w := randSlice(rng, hd), randSlice(rng, n*hd), randSlice(rng, n)
			dots := make([]float32, n)
			DotRows(dots, q, k, n, hd)
			for p := 0; p < n; p++ {
				var one [1]float32
				DotRows(one[:], q, k[p*hd:], 1, hd)
				if math.Float32bits(one[0]) != math.Float32bits(dots[p]) {
					t.Fatalf("DotRows hd=%d n=%d key %d: %v among %d keys, %v alone", hd, n, p, dots[p], n, one[0])
				}
			}
			if hd%32 != 0 {
				continue
			}
			got, want := make([]float32, hd), make([]float32, hd)
			WeightedRows(got, w, k, n, hd)
			weightedRows32(want, w, k, n, hd)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("WeightedRows hd=%d n=%d element %d: %v, 32-column kernel %v", hd, n, i, got[i], want[i])
				}
			}
		}
	}
}
