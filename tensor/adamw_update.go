package tensor

import "math"

// adamwCoef holds the constants of one AdamW update of a tensor, in the order adamw_amd64.s reads
// them: b1, 1-b1, b2, 1-b2, the bias corrections bc1 = 1-b1^t and bc2 = 1-b2^t, lr, the decay factor
// (1 - lr*wd for decayed params, else 1) and eps.
type adamwCoef struct {
	b1, c1, b2, c2, bc1, bc2, lr, decay, eps float32
}

// adamwUpdate applies the AdamW element update (adamwUpdateGo) to w, md, vd given the gradient g. With
// AVX2 the leading multiple of 8 elements run in assembly (adamw_amd64.s) with the same float32
// operations in the same order, no fused multiply-add; the tail runs in Go.
func adamwUpdate(w, g, md, vd []float32, k *adamwCoef) {
	n := len(w)
	g, md, vd = g[:n], md[:n], vd[:n] // bounds, before the assembly reads them
	n8 := 0
	if simdElementwise {
		n8 = n &^ 7
		adamwUpdate8(w, g, md, vd, k, n8)
	}
	adamwUpdateGo(w[n8:], g[n8:], md[n8:], vd[n8:], k)
}

// adamwUpdateGo is the reference loop: per element, each operation rounded to float32,
//
//	m = b1*m + (1-b1)*g,  v = b2*v + ((1-b2)*g)*g,  mhat = m/bc1,  vhat = v/bc2,
//	w = w*decay - (lr*mhat)/(sqrt(vhat)+eps).
//
// float32(math.Sqrt(float64(x))) is the correctly rounded float32 square root (as VSQRTPS). The
// float32 conversions round each product before its sum, which keeps the compiler from fusing them
// into one FMA where it may (GOAMD64=v3); with the default GOAMD64=v1 they change nothing.
func adamwUpdateGo(w, g, md, vd []float32, k *adamwCoef) {
	b1, c1, b2, c2, bc1, bc2, lr, decay, eps := k.b1, k.c1, k.b2, k.c2, k.bc1, k.bc2, k.lr, k.decay, k.eps
	g, md, vd = g[:len(w)], md[:len(w)], vd[:len(w)]
	for i := range w {
		gi := g[i]
		md[i] = float32(b1*md[i]) + float32(c1*gi)
		vd[i] = float32(b2*vd[i]) + float32(c2*gi*gi)
		mhat := md[i] / bc1
		vhat := vd[i] / bc2
		w[i] = float32(w[i]*decay) - lr*mhat/(float32(math.Sqrt(float64(vhat)))+eps)
	}
}
