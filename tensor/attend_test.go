package tensor

import (
	"fmt"
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
