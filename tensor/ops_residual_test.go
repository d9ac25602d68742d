package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The fused residual ops must give exactly (bit for bit) the values and gradients of the ops they
// replace, on an arena tape (where gradients are recycled and handed on) as on a plain one, so that
// switching a model to them changes no training run.
func TestFusedResidualOpsBitIdenticalToUnfused(t *testing.T) {
	const rows, d, hid = 37, 24, 40 // rows: not a multiple of the micro-kernel's tiles
	rng := rand.New(rand.NewPCG(5, 9))
	shapes := [][]int{{rows, d}, {rows, hid}, {rows, hid}, {d, hid}, {d}, {hid, d}}
	inputs := make([]*Tensor, len(shapes)) // x, gate, up, wDown, bDown, wUp (for a second branch)
	for i, sh := range shapes {
		inputs[i] = randTensor(rng, 1, sh...)
	}
	seed := randTensor(rng, 1, rows, d)
	for _, onArena := range []bool{false, true} {
		run := func(fused bool) (out []float32, grads [][]float32) {
			var tp *Tape
			if onArena {
				tp = NewTapeOn(NewArena())
			} else {
				tp = NewTape()
			}
			params := make([]*Param, len(inputs))
			v := make([]*Var, len(inputs))
			for i, in := range inputs {
				params[i] = &Param{Value: in, Grad: New(in.Shape...)}
				v[i] = tp.Param(params[i])
			}
			// x feeds a non-leaf residual stream (as in a model), so its gradient takes the hand-on path.
			x := tp.Linear(tp.Linear(v[0], v[5], nil), v[3], v[4]) // [rows, d]
			var y *Var
			if fused {
				y = tp.AddSwiGLULinear(x, v[1], v[2], v[3], v[4])
				y = tp.AddLinear(y, v[1], v[3], v[4])
			} else {
				y = tp.Add(x, tp.Linear(tp.SwiGLU(v[1], v[2]), v[3], v[4]))
				y = tp.Add(y, tp.Linear(v[1], v[3], v[4]))
			}
			copy(tp.GradOf(y).Data, seed.Data)
			tp.Backward()
			for _, p := range params {
				grads = append(grads, append([]float32(nil), p.Grad.Data...))
			}
			return append([]float32(nil), y.Value.Data...), grads
		}
		wantOut, wantGrads := run(false)
		gotOut, gotGrads := run(true)
		for i := range wantOut {
			if math.Float32bits(gotOut[i]) != math.Float32bits(wantOut[i]) {
				t.Fatalf("arena=%v: output[%d] = %v, unfused %v", onArena, i, gotOut[i], wantOut[i])
			}
		}
		for p := range wantGrads {
			for i := range wantGrads[p] {
				if math.Float32bits(gotGrads[p][i]) != math.Float32bits(wantGrads[p][i]) {
					t.Fatalf("arena=%v: grad of input %d [%d] = %v, unfused %v", onArena, p, i, gotGrads[p][i], wantGrads[p][i])
				}
			}
		}
	}
}
