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
	y := tp.alloc(false, x.Value.Shape...) // overwritten row by row
	var bdata []float32
	if beta != nil {
		bdata = beta.Value.Data
	}
	rstd := tp.buf(rows, false) // [rows]
	mean := tp.buf(rows, false) // [rows]
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
	mean = sum4(x) / float32(len(x))
	ss := centredSquares4(x, mean)
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
	y := tp.alloc(false, x.Value.Shape...) // overwritten row by row
	rstd := tp.buf(rows, false)            // [rows]
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
	ss := centredSquares4(x, 0)
	rstd = float32(1 / math.Sqrt(float64(ss/float32(len(x))+eps)))
	for i, v := range x {
		dst[i] = v * rstd * gamma[i]
	}
	return rstd
}

// normBackward is shared by LayerNorm (mean != nil) and RMSNorm (mean == nil, no centring term).
// One pass over the rows: the rows are cut into a fixed number of chunks (a function of rows only);
// each chunk writes its rows of dx and its own partial sums of dgamma and dbeta, and the partials are
// then added in chunk order, so the result does not depend on GOMAXPROCS.
func normBackward(tp *Tape, x, gamma, beta *Var, g, mean, rstd []float32, rows, d int) {
	dx, overwrite := tp.gradOut(x)
	dg, db := tp.gradData(gamma), tp.gradData(beta)
	if dx == nil && dg == nil && db == nil {
		return
	}
	gm := gamma.Value.Data
	chunks := min(maxChunks, max(1, rows/32))
	var part []float32 // [chunks, 2, d]: partial dgamma, dbeta
	if dg != nil || db != nil {
		part = getScratch(chunks * 2 * d)
		clear(part)
	}
	Parallel(chunks, func(clo, chi int) {
		xh := getScratch(d) // [d] normalised row
		for c := clo; c < chi; c++ {
			for r := c * rows / chunks; r < (c+1)*rows/chunks; r++ {
				m := float32(0)
				if mean != nil {
					m = mean[r]
				}
				rs := rstd[r]
				xr, gr := x.Value.Data[r*d:(r+1)*d], g[r*d:(r+1)*d]
				sumD, sumDX := normRowSums(xh, xr, gr, gm, m, rs)
				if part != nil {
					pg, pb := part[c*2*d:c*2*d+d], part[c*2*d+d:(c+1)*2*d]
					for i, gv := range gr {
						pg[i] += gv * xh[i]
						pb[i] += gv
					}
				}
				if dx == nil {
					continue
				}
				meanD, meanDX := sumD/float32(d), sumDX/float32(d)
				if mean == nil {
					meanD = 0
				}
				dxr := dx[r*d : (r+1)*d]
				if overwrite {
					for i, gv := range gr {
						dxr[i] = rs * (gv*gm[i] - meanD - xh[i]*meanDX)
					}
					continue
				}
				for i, gv := range gr {
					dxr[i] += rs * (gv*gm[i] - meanD - xh[i]*meanDX)
				}
			}
		}
		putScratch(xh)
	})
	for c := 0; part != nil && c < chunks; c++ { // fixed order
		if dg != nil {
			addInto(dg, part[c*2*d:c*2*d+d])
		}
		if db != nil {
			addInto(db, part[c*2*d+d:(c+1)*2*d])
		}
	}
	putScratch(part)
}

// sum4 returns the sum of x in four interleaved chains (elements i mod 4), added together at the end
// as (c0+c1)+(c2+c3): four independent additions in flight instead of one long dependent chain. The
// order depends only on len(x), so training and sampling rows get the same bits.
func sum4(x []float32) float32 {
	var c0, c1, c2, c3 float32
	n4 := len(x) &^ 3
	for i := 0; i < n4; i += 4 {
		c0 += x[i]
		c1 += x[i+1]
		c2 += x[i+2]
		c3 += x[i+3]
	}
	for i := n4; i < len(x); i++ {
		c0 += x[i]
	}
	return (c0 + c1) + (c2 + c3)
}

// centredSquares4 returns sum_i (x_i - m)^2 in sum4's order.
func centredSquares4(x []float32, m float32) float32 {
	var c0, c1, c2, c3 float32
	n4 := len(x) &^ 3
	for i := 0; i < n4; i += 4 {
		d0, d1, d2, d3 := x[i]-m, x[i+1]-m, x[i+2]-m, x[i+3]-m
		c0 += d0 * d0
		c1 += d1 * d1
		c2 += d2 * d2
		c3 += d3 * d3
	}
	for i := n4; i < len(x); i++ {
		d := x[i] - m
		c0 += d * d
	}
	return (c0 + c1) + (c2 + c3)
}

// normRowSums writes xh = (x - m) * rs and returns sum(dy*gamma) and sum(dy*gamma*xh), each in four
// interleaved chains combined as (c0+c1)+(c2+c3) (see sum4).
func normRowSums(xh, x, dy, gamma []float32, m, rs float32) (sumD, sumDX float32) {
	xh, dy, gamma = xh[:len(x)], dy[:len(x)], gamma[:len(x)]
	var d0, d1, d2, d3, e0, e1, e2, e3 float32
	n4 := len(x) &^ 3
	for i := 0; i < n4; i += 4 {
		h0, h1, h2, h3 := (x[i]-m)*rs, (x[i+1]-m)*rs, (x[i+2]-m)*rs, (x[i+3]-m)*rs
		xh[i], xh[i+1], xh[i+2], xh[i+3] = h0, h1, h2, h3
		g0, g1, g2, g3 := dy[i]*gamma[i], dy[i+1]*gamma[i+1], dy[i+2]*gamma[i+2], dy[i+3]*gamma[i+3]
		d0 += g0
		d1 += g1
		d2 += g2
		d3 += g3
		e0 += g0 * h0
		e1 += g1 * h1
		e2 += g2 * h2
		e3 += g3 * h3
	}
	for i := n4; i < len(x); i++ {
		h := (x[i] - m) * rs
		xh[i] = h
		g := dy[i] * gamma[i]
		d0 += g
		e0 += g * h
	}
	return (d0 + d1) + (d2 + d3), (e0 + e1) + (e2 + e3)
}
