package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestLinearLogSoftmaxGatherGrad checks the fused head against a float64 reference (logits = x w^T,
// then log-softmax) and its backward against finite differences, with chunks smaller than the batch
// so that several chunks accumulate into dw, and with ignored rows.
func TestLinearLogSoftmaxGatherGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	for _, s := range []struct{ n, d, v, chunk int }{{1, 3, 5, 0}, {5, 4, 7, 2}, {7, 3, 9, 3}} {
		n, d, v := s.n, s.d, s.v
		targets := make([]int, n)
		for i := range targets {
			targets[i] = (i*5 + 1) % v
		}
		if n > 2 {
			targets[1] = -1  // ignored row
			targets[n-1] = v // out of range: ignored too
		}
		runGradCase(t, gradCase{
			name:   fmt.Sprintf("LinearLogSoftmaxGather n%d d%d v%d chunk%d", n, d, v, s.chunk),
			inputs: []*Tensor{randTensor(rng, 1, n, d), randTensor(rng, 1, v, d)},
			build: func(tp *Tape, in []*Var) []*Var {
				lp, ent := tp.LinearLogSoftmaxGather(in[0], in[1], targets, s.chunk)
				return []*Var{lp, ent}
			},
			ref: func(x [][]float64) [][]float64 {
				z := refLinear(x[0], x[1], nil, n, d, v)
				lp, ent := make([]float64, n), make([]float64, n)
				for i, tg := range targets {
					if tg < 0 || tg >= v {
						continue
					}
					row := refLogSoftmax(z[i*v : (i+1)*v])
					lp[i] = row[tg]
					for _, l := range row {
						ent[i] -= math.Exp(l) * l
					}
				}
				return [][]float64{lp, ent}
			},
		})
	}
}

// TestLinearLogSoftmaxGatherMatchesUnfused compares the fused head with Linear + LogSoftmaxGather on
// random inputs: forward values bit-identical, gradients of x and w equal to 1e-5 of their scale.
func TestLinearLogSoftmaxGatherMatchesUnfused(t *testing.T) {
	const n, d, v = 53, 40, 1000
	rng := rand.New(rand.NewPCG(3, 5))
	x0, w0 := randTensor(rng, 1, n, d), randTensor(rng, 0.3, v, d)
	targets := make([]int, n)
	gl, ge := make([]float32, n), make([]float32, n)
	for i := range targets {
		targets[i] = rng.IntN(v)
		if i%7 == 3 {
			targets[i] = -1
		}
		gl[i], ge[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	run := func(fused bool) (lp, ent, dx, dw []float32) {
		tp := NewTapeOn(NewArena())
		px := &Param{Name: "x", Value: x0, Grad: New(n, d)}
		pw := &Param{Name: "w", Value: w0, Grad: New(v, d)}
		xv, wv := tp.Param(px), tp.Param(pw)
		var l, e *Var
		if fused {
			l, e = tp.LinearLogSoftmaxGather(xv, wv, targets, 8)
		} else {
			l, e = tp.LogSoftmaxGather(tp.Linear(xv, wv, nil), targets)
		}
		copy(tp.GradOf(l).Data, gl)
		copy(tp.GradOf(e).Data, ge)
		tp.Backward()
		return l.Value.Data, e.Value.Data, px.Grad.Data, pw.Grad.Data
	}
	lpU, entU, dxU, dwU := run(false)
	lpF, entF, dxF, dwF := run(true)
	for i := range lpU {
		if lpU[i] != lpF[i] || entU[i] != entF[i] {
			t.Fatalf("row %d: fused logp, entropy = %v, %v; unfused %v, %v (want bit-identical)", i, lpF[i], entF[i], lpU[i], entU[i])
		}
	}
	closeTo := func(name string, got, want []float32) {
		scale := 0.0
		for _, w := range want {
			scale = math.Max(scale, math.Abs(float64(w)))
		}
		if scale == 0 {
			t.Fatalf("%s: unfused gradient is all zero; the comparison would be empty", name)
		}
		for j := range want {
			if diff := math.Abs(float64(got[j] - want[j])); diff > 1e-5*scale {
				t.Fatalf("%s[%d] = %v, unfused %v (scale %v)", name, j, got[j], want[j], scale)
			}
		}
	}
	closeTo("dx", dxF, dxU)
	closeTo("dw", dwF, dwU)
	for i, tg := range targets { // ignored rows get no gradient
		if tg < 0 {
			for _, g := range dxF[i*d : (i+1)*d] {
				if g != 0 {
					t.Fatalf("ignored row %d has gradient %v", i, g)
				}
			}
		}
	}
}

// TestHeadChunkRows pins the documented chunk sizes.
func TestHeadChunkRows(t *testing.T) {
	for _, c := range []struct{ v, want int }{{64, 1024}, {49152, 341}, {151936, 110}, {1 << 22, 16}} {
		if got := HeadChunkRows(c.v); got != c.want {
			t.Errorf("HeadChunkRows(%d) = %d, want %d", c.v, got, c.want)
		}
	}
}
