package tensor

import "github.com/viterin/vek/vek32"

const (
	geluC = 0.7978845608028654 // sqrt(2/pi)
	geluA = 0.044715
)

// GELU applies the tanh approximation used by GPT-2:
//
//	gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
//
// The forward keeps th = tanh(...) [same shape as x] for the backward pass:
//
//	gelu'(x) = 0.5 (1 + th) + 0.5 x (1 - th^2) sqrt(2/pi) (1 + 3*0.044715 x^2).
func (tp *Tape) GELU(x *Var) *Var {
	y := tp.alloc(false, x.Value.Shape...)
	th := tp.buf(len(y.Data), false) // tanh argument's tanh, per element
	elementwise(len(y.Data), func(lo, hi int) {
		tanhArg(th[lo:hi], x.Value.Data[lo:hi])
		for i, v := range x.Value.Data[lo:hi] {
			y.Data[lo+i] = 0.5 * v * (1 + th[lo+i])
		}
	})
	res := result(y, x)
	tp.record(res, func(g []float32) {
		dx, overwrite := tp.gradOut(x)
		elementwise(len(g), func(lo, hi int) {
			if overwrite {
				clear(dx[lo:hi]) // while this chunk is in cache
			}
			geluGrad(dx[lo:hi], g[lo:hi], x.Value.Data[lo:hi], th[lo:hi])
		})
	})
	return res
}

// geluGrad adds g * gelu'(x) into dx, given th = tanh(sqrt(2/pi) (x + 0.044715 x^3)); with AVX2 the
// body runs 8 at a time in assembly with the same operations in the same order.
func geluGrad(dx, g, x, th []float32) {
	dx, g, th = dx[:len(x)], g[:len(x)], th[:len(x)] // bounds, before the assembly reads them
	n8 := 0
	if haveFMA {
		n8 = len(x) &^ 7
		geluGrad8(dx, g, x, th, n8)
	}
	for i := n8; i < len(x); i++ {
		v, t := x[i], th[i]
		d := 0.5*(1+t) + 0.5*v*(1-t*t)*geluC*(1+3*geluA*v*v)
		dx[i] += g[i] * d
	}
}

// GELUInto writes gelu(x) into dst (the kernel behind Tape.GELU, for the inference path).
func GELUInto(dst, x []float32) {
	tanhArg(dst, x)
	for i, v := range x {
		dst[i] = 0.5 * v * (1 + dst[i])
	}
}

// tanhArg sets t = tanh(sqrt(2/pi) (x + 0.044715 x^3)) via tanh(u) = 1 - 2/(exp(2u)+1), with
// vek's SIMD exp. u is clamped to +-20, where tanh is 1 to float32 precision, so exp cannot overflow.
// With AVX2 the elementwise steps run 8 at a time in assembly with the same float32 operations in the
// same order as the Go loops, so an element's value does not depend on where it sits in the slice.
func tanhArg(t, x []float32) {
	t = t[:len(x)]
	n8 := 0
	if haveFMA {
		n8 = len(x) &^ 7
		tanhArgPre8(t, x, n8)
	}
	for i := n8; i < len(x); i++ {
		v := x[i]
		u := geluC * (v + geluA*v*v*v)
		if u > 20 {
			u = 20
		} else if u < -20 {
			u = -20
		}
		t[i] = 2 * u
	}
	vek32.Exp_Inplace(t)
	if haveFMA {
		tanhArgPost8(t, n8)
	}
	for i := n8; i < len(t); i++ {
		t[i] = 1 - 2/(t[i]+1)
	}
}

// sigmoidBlock is how many elements sigmoidInto takes through its three passes at a time (8 KB of
// input and of output, in L1), a multiple of 8 so that vek's exp still runs every element through
// its 8-wide body but the last len%8, as it does for the whole slice.
const sigmoidBlock = 2048

// sigmoidInto sets s = 1/(1+exp(-x)), clamping x to +-80 so exp stays finite, a block at a time.
func sigmoidInto(s, x []float32) {
	s = s[:len(x)]
	for lo := 0; lo < len(x); lo += sigmoidBlock {
		hi := min(lo+sigmoidBlock, len(x))
		sigmoidBlockInto(s[lo:hi], x[lo:hi])
	}
}

// sigmoidBlockInto is sigmoidInto on one block. With AVX2 the clamp and the reciprocal run 8 at a
// time in assembly (sigmoid_amd64.s) with the same float32 operations, so an element's bits do not
// depend on the path or on where it sits in the slice; the exp is vek's either way.
func sigmoidBlockInto(s, x []float32) {
	s = s[:len(x)] // bounds, before the assembly writes
	n8 := 0
	if simdElementwise {
		n8 = len(x) &^ 7
		sigmoidNegClamp8(s, x, n8)
	}
	for i := n8; i < len(x); i++ {
		s[i] = -min(max(x[i], -80), 80)
	}
	vek32.Exp_Inplace(s)
	if simdElementwise {
		sigmoidRecip8(s, n8)
	}
	for i := n8; i < len(s); i++ {
		s[i] = 1 / (1 + s[i])
	}
}

// SiLU applies silu(x) = x * sigmoid(x); d/dx = s (1 + x (1 - s)).
func (tp *Tape) SiLU(x *Var) *Var {
	y := tp.alloc(false, x.Value.Shape...)
	elementwise(len(y.Data), func(lo, hi int) { SiLUInto(y.Data[lo:hi], x.Value.Data[lo:hi]) })
	res := result(y, x)
	tp.record(res, func(g []float32) {
		dx := tp.gradData(x)
		elementwise(len(g), func(lo, hi int) {
			xs := x.Value.Data[lo:hi]
			s := getScratch(hi - lo)
			sigmoidInto(s, xs)
			for i, v := range xs {
				dx[lo+i] += g[lo+i] * s[i] * (1 + v*(1-s[i]))
			}
			putScratch(s)
		})
	})
	return res
}

// SiLUInto writes silu(x) into dst (kernel of Tape.SiLU).
func SiLUInto(dst, x []float32) {
	sigmoidInto(dst, x)
	for i, v := range x {
		dst[i] *= v
	}
}

// SwiGLU returns silu(gate) * up (Llama's MLP gate). Backward: dup += g silu(gate),
// dgate += g up s (1 + gate (1 - s)).
func (tp *Tape) SwiGLU(gate, up *Var) *Var {
	if len(gate.Value.Data) != len(up.Value.Data) {
		shapePanic("SwiGLU", "gate "+shapeStr(gate.Value)+" and up "+shapeStr(up.Value)+" differ")
	}
	y := tp.alloc(false, gate.Value.Shape...)
	swiGLUForward(y.Data, gate.Value.Data, up.Value.Data)
	res := result(y, gate, up)
	tp.record(res, func(g []float32) {
		swiGLUBackward(tp.gradData(gate), tp.gradData(up), g, gate.Value.Data, up.Value.Data)
	})
	return res
}

// swiGLUForward sets y = silu(gate) * up in parallel chunks (fixed boundaries: the same bits for any
// number of threads).
func swiGLUForward(y, gate, up []float32) {
	elementwise(len(y), func(lo, hi int) { SwiGLUInto(y[lo:hi], gate[lo:hi], up[lo:hi]) })
}

// swiGLURecompute sets sig = sigmoid(gate) and y = silu(gate) * up = (sig * gate) * up, the same
// products in the same order as swiGLUForward (so y has its bits), keeping sig for the backward.
func swiGLURecompute(y, sig, gate, up []float32) {
	elementwise(len(y), func(lo, hi int) {
		sigmoidInto(sig[lo:hi], gate[lo:hi])
		for i, v := range gate[lo:hi] {
			y[lo+i] = sig[lo+i] * v * up[lo+i]
		}
	})
}

// swiGLUBackwardSig is swiGLUBackward with sig = sigmoid(gate) already computed (by swiGLURecompute).
func swiGLUBackwardSig(dg, du, g, gate, up, sig []float32) {
	if dg == nil && du == nil {
		return
	}
	elementwise(len(g), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v, s := gate[i], sig[i]
			if du != nil {
				du[i] += g[i] * v * s
			}
			if dg != nil {
				dg[i] += g[i] * up[i] * s * (1 + v*(1-s))
			}
		}
	})
}

// swiGLUBackward adds the gradients of y = silu(gate) * up for output gradient g into dgate and dup
// (either may be nil): dup += g silu(gate), dgate += g up s (1 + gate (1 - s)) with s = sigmoid(gate).
func swiGLUBackward(dg, du, g, gate, up []float32) {
	if dg == nil && du == nil {
		return
	}
	elementwise(len(g), func(lo, hi int) {
		xs, us := gate[lo:hi], up[lo:hi]
		s := getScratch(hi - lo)
		sigmoidInto(s, xs)
		for i, v := range xs {
			if du != nil {
				du[lo+i] += g[lo+i] * v * s[i]
			}
			if dg != nil {
				dg[lo+i] += g[lo+i] * us[i] * s[i] * (1 + v*(1-s[i]))
			}
		}
		putScratch(s)
	})
}

// SwiGLUInto writes silu(gate)*up into dst (kernel of Tape.SwiGLU).
func SwiGLUInto(dst, gate, up []float32) {
	SiLUInto(dst, gate)
	for i := range dst {
		dst[i] *= up[i]
	}
}

// elementwise splits [0,n) into fixed chunks of at least 4096 elements.
func elementwise(n int, fn func(lo, hi int)) { parallelGrain(n, 4096, fn) }
