package tensor

// Var is a value recorded on a Tape. Grad holds dLoss/dValue once something needs it (nil before).
type Var struct {
	Value *Tensor
	Grad  *Tensor

	needsGrad bool   // true for params and for ops that depend on one
	param     *Param // set for Param leaves: Grad aliases param.Grad
}

// Tape records fused ops in execution order; Backward replays their hand-written backward passes in
// reverse. Every backward pass adds into its inputs' gradients, so a Var used twice (weight tying, a
// residual branch) receives the sum. A Tape is used by one goroutine; build a new one per pass.
type Tape struct {
	backs []func()
	arena *Arena // nil: every tensor is allocated fresh
}

// NewTape returns an empty tape whose op outputs and gradients are freshly allocated.
func NewTape() *Tape { return &Tape{} }

// NewTapeOn returns an empty tape that takes its op outputs, saved statistics and gradients from a
// (which must not be used by another tape at the same time). The caller Resets the arena (or returns
// it to its pool) once it no longer needs any Var of the tape: after Backward, or when the pass is
// dropped. On such a tape only the leaves' gradients (Params) are meaningful after Backward: to save a
// copy, a residual Add hands its output's gradient buffer on to its first input.
func NewTapeOn(a *Arena) *Tape { return &Tape{arena: a} }

// alloc returns a tensor for an op's output: zeroed when zero is set, otherwise with arbitrary
// contents that the op overwrites completely (fresh allocations are always zero).
func (tp *Tape) alloc(zero bool, shape ...int) *Tensor {
	if tp.arena == nil {
		return New(shape...)
	}
	return tp.arena.tensor(zero, shape...)
}

// buf returns n float32s an op saves for its backward pass, with arbitrary contents unless zero.
func (tp *Tape) buf(n int, zero bool) []float32 {
	if tp.arena == nil {
		return make([]float32, n)
	}
	return tp.arena.alloc(n, zero)
}

// Param returns a leaf for p whose gradient accumulates into p.Grad (allocated if nil) on Backward.
func (tp *Tape) Param(p *Param) *Var {
	if p.Grad == nil || len(p.Grad.Data) != len(p.Value.Data) {
		p.Grad = New(p.Value.Shape...)
	}
	return &Var{Value: p.Value, Grad: p.Grad, needsGrad: true, param: p}
}

// Constant returns a leaf that receives no gradient.
func (tp *Tape) Constant(t *Tensor) *Var { return &Var{Value: t} }

// GradOf returns v.Grad, allocating it zeroed first if nil, so callers can seed output gradients.
func (tp *Tape) GradOf(v *Var) *Tensor {
	if v.Grad == nil {
		v.Grad = tp.alloc(true, v.Value.Shape...)
	}
	return v.Grad
}

// Backward runs the recorded ops' backward passes in reverse order, starting from whatever output
// gradients were seeded with GradOf. Ops whose output received no gradient are skipped.
func (tp *Tape) Backward() {
	for i := len(tp.backs) - 1; i >= 0; i-- {
		tp.backs[i]()
	}
}

// result makes an op's output Var; it needs a gradient if any input does.
func result(t *Tensor, inputs ...*Var) *Var {
	v := &Var{Value: t}
	for _, in := range inputs {
		if in != nil && in.needsGrad {
			v.needsGrad = true
		}
	}
	return v
}

// record adds a backward pass that runs only when out received a gradient.
func (tp *Tape) record(out *Var, back func(g []float32)) {
	if !out.needsGrad {
		return
	}
	tp.backs = append(tp.backs, func() {
		if out.Grad != nil {
			back(out.Grad.Data)
			tp.recycleGrad(out)
		}
	})
}

// recycleGrad hands out's gradient back to the arena once out's backward has run: nothing reads it
// afterwards (every consumer of out ran its backward before, and out's producer just did). Only
// arena tapes recycle, and never a Param's gradient; an op that passes its output's gradient buffer
// on to an input (Add) sets out.Grad to nil first.
func (tp *Tape) recycleGrad(out *Var) {
	if tp.arena == nil || out.param != nil || out.Grad == nil {
		return
	}
	tp.arena.recycle(out.Grad.Data)
	out.Grad = nil
}

// gradData returns v's gradient buffer to accumulate into, or nil when v needs no gradient.
func (tp *Tape) gradData(v *Var) []float32 {
	if v == nil || !v.needsGrad {
		return nil
	}
	return tp.GradOf(v).Data
}

// gradOut is gradData for ops that can write their contribution instead of adding it: when v has no
// gradient yet it gets an unzeroed buffer and overwrite is true, and the caller must then set every
// element. Otherwise it returns v's gradient to add into (or nil when v needs none).
func (tp *Tape) gradOut(v *Var) (g []float32, overwrite bool) {
	if v == nil || !v.needsGrad {
		return nil, false
	}
	if v.Grad == nil {
		v.Grad = tp.alloc(false, v.Value.Shape...)
		return v.Grad.Data, true
	}
	return v.Grad.Data, false
}

// lastDim returns the size of t's last dimension and the number of rows before it.
func lastDim(t *Tensor) (rows, d int) {
	if len(t.Shape) == 0 {
		return 1, 1
	}
	d = t.Shape[len(t.Shape)-1]
	if d == 0 {
		return 0, 0
	}
	return len(t.Data) / d, d
}

func shapeStr(t *Tensor) string {
	s := "["
	for i, d := range t.Shape {
		if i > 0 {
			s += ","
		}
		s += itoa(d)
	}
	return s + "]"
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	p := len(b)
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		p--
		b[p] = '-'
	}
	return string(b[p:])
}

// shapePanic reports a shape mismatch between ops: a programming error in the model code, not bad
// user input, so it panics like an out-of-range slice index would.
func shapePanic(op, msg string) {
	panic("tensor." + op + ": " + msg)
}
