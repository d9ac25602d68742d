package tensor

import "math"

// LayerNorm normalises each row of x over its last dimension D:
//
//	y = (x - mean) / sqrt(var + eps) * gamma + beta,   gamma, beta [D].
//
// Backward, with xhat = (x-mean)*rstd and dxhat = dy*gamma:
//
//	dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat*xhat)),  dgamma += sum dy*xhat,  dbeta += sum dy.
func (tp *Tape) LayerNorm(x, gamma, beta *Var, eps float32) *Var {
	rows, d := lastDim(x.Value)
	if len(gamma.Value.Data) != d || (beta != nil && len(beta.Value.Data) != d) {
		shapePanic("LayerNorm", "gamma/beta do not match the last dimension of "+shapeStr(x.Value))
	}
	y := New(x.Value.Shape...)
	var bdata []float32
	if beta != nil {
		bdata = beta.Value.Data
	}
	rstd := make([]float32, rows) // [rows]
	mean := make([]float32, rows) // [rows]
	parallelGrain(rows, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			mean[r], rstd[r] = LayerNormRow(y.Data[r*d:(r+1)*d], x.Value.Data[r*d:(r+1)*d], gamma.Value.Data, bdata, eps)
		}
	})
	res := result(y, x, gamma, beta)
	tp.record(res, func(g []float32) {
		normBackward(tp, x, gamma, beta, g, mean, rstd, rows, d)
	})
	return res
}

// LayerNormRow writes one normalised row into dst (beta may be nil) and returns its mean and 1/std.
// It is the kernel behind Tape.LayerNorm, exported for the sampler's inference path.
func LayerNormRow(dst, x, gamma, beta []float32, eps float32) (mean, rstd float32) {
	var s float32
	for _, v := range x {
		s += v
	}
	mean = s / float32(len(x))
	var ss float32
	for _, v := range x {
		c := v - mean
		ss += c * c
	}
	rstd = float32(1 / math.Sqrt(float64(ss/float32(len(x))+eps)))
	for i, v := range x {
		dst[i] = (v - mean) * rstd * gamma[i]
	}
	if beta != nil {
		for i := range dst {
			dst[i] += beta[i]
		}
	}
	return mean, rstd
}

// RMSNorm normalises each row of x by its root mean square: y = x / sqrt(mean(x^2) + eps) * gamma.
// Backward: dx = rstd * (dxhat - xhat * mean(dxhat*xhat)), dgamma += sum dy*xhat.
func (tp *Tape) RMSNorm(x, gamma *Var, eps float32) *Var {
	rows, d := lastDim(x.Value)
	if len(gamma.Value.Data) != d {
		shapePanic("RMSNorm", "gamma does not match the last dimension of "+shapeStr(x.Value))
	}
	y := New(x.Value.Shape...)
	rstd := make([]float32, rows) // [rows]
	parallelGrain(rows, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			rstd[r] = RMSNormRow(y.Data[r*d:(r+1)*d], x.Value.Data[r*d:(r+1)*d], gamma.Value.Data, eps)
		}
	})
	res := result(y, x, gamma)
	tp.record(res, func(g []float32) {
		normBackward(tp, x, gamma, nil, g, nil, rstd, rows, d)
	})
	return res
}

// RMSNormRow writes one RMS-normalised row into dst and returns 1/rms. Kernel of Tape.RMSNorm.
func RMSNormRow(dst, x, gamma []float32, eps float32) (rstd float32) {
	var ss float32
	for _, v := range x {
		ss += v * v
	}
	rstd = float32(1 / math.Sqrt(float64(ss/float32(len(x))+eps)))
	for i, v := range x {
		dst[i] = v * rstd * gamma[i]
	}
	return rstd
}

// normBackward is shared by LayerNorm (mean != nil) and RMSNorm (mean == nil, no centring term).
func normBackward(tp *Tape, x, gamma, beta *Var, g, mean, rstd []float32, rows, d int) {
	// xhatRow writes the normalised row r into dst.
	xhatRow := func(dst []float32, r int) {
		m := float32(0)
		if mean != nil {
			m = mean[r]
		}
		for i, v := range x.Value.Data[r*d : (r+1)*d] {
			dst[i] = (v - m) * rstd[r]
		}
	}
	gm := gamma.Value.Data
	if dx := tp.gradData(x); dx != nil {
		parallelGrain(rows, 16, func(lo, hi int) {
			xh := getScratch(d)
			for r := lo; r < hi; r++ {
				xhatRow(xh, r)
				gr := g[r*d : (r+1)*d]
				var sumD, sumDX float32
				for i := 0; i < d; i++ {
					dxh := gr[i] * gm[i]
					sumD += dxh
					sumDX += dxh * xh[i]
				}
				meanD, meanDX := sumD/float32(d), sumDX/float32(d)
				if mean == nil {
					meanD = 0
				}
				dxr := dx[r*d : (r+1)*d]
				for i := 0; i < d; i++ {
					dxr[i] += rstd[r] * (gr[i]*gm[i] - meanD - xh[i]*meanDX)
				}
			}
			putScratch(xh)
		})
	}
	dg, db := tp.gradData(gamma), tp.gradData(beta)
	if dg == nil && db == nil {
		return
	}
	// Parameter gradients: split over columns (the outputs), each summing rows in order.
	parallelGrain(d, 16, func(lo, hi int) {
		for r := 0; r < rows; r++ {
			gr, xr := g[r*d:(r+1)*d], x.Value.Data[r*d:(r+1)*d]
			m := float32(0)
			if mean != nil {
				m = mean[r]
			}
			for i := lo; i < hi; i++ {
				if dg != nil {
					dg[i] += gr[i] * ((xr[i] - m) * rstd[r])
				}
				if db != nil {
					db[i] += gr[i]
				}
			}
		}
	})
}
