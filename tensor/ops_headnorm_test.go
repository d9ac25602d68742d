package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// HeadRMSNorm's forward against an independent float64 per-head RMSNorm and its backward against
// finite differences of it, with grouped-query heads and enough rows for several backward chunks.
func TestHeadRMSNormGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 5))
	for _, s := range [][4]int{{1, 1, 1, 2}, {3, 2, 1, 4}, {70, 4, 2, 3}} { // rows, heads, kv heads, head dim
		rows, nh, nkv, hd := s[0], s[1], s[2], s[3]
		width := (nh + 2*nkv) * hd
		runGradCase(t, gradCase{
			name:   fmt.Sprintf("HeadRMSNorm %v", s),
			inputs: []*Tensor{randTensor(rng, 2, rows, width), randTensor(rng, 1, hd), randTensor(rng, 1, hd)},
			build: func(tp *Tape, v []*Var) []*Var {
				return []*Var{tp.HeadRMSNorm(v[0], v[1], v[2], nh, nkv, hd, 1e-5)}
			},
			ref: func(x [][]float64) [][]float64 {
				y := append([]float64(nil), x[0]...)
				for r := 0; r < rows; r++ {
					for h := 0; h < nh+nkv; h++ {
						gain := x[1]
						if h >= nh {
							gain = x[2]
						}
						at := r*width + h*hd
						copy(y[at:at+hd], refNorm(x[0][at:at+hd], gain, nil, 1, hd, 1e-5, false))
					}
				}
				return [][]float64{y}
			},
		})
	}
}
