package tensor

// HeadRMSNorm RMS-normalises every query head and every key head of a fused projection, each over its
// own headDim components (Qwen3's q_norm / k_norm):
//
//	q_h' = q_h / sqrt(mean(q_h^2) + eps) * gq,   k_g' = k_g / sqrt(mean(k_g^2) + eps) * gk,
//
// where qkv [rows, (nHeads+2*nKVHeads)*headDim] holds per row [q heads | k heads | v heads]; the value
// heads pass through unchanged. gq and gk are [headDim], shared by all heads of their kind. Each head
// is normalised by RMSNormRow, the kernel the sampler calls, so training and sampling agree bit for
// bit. Backward per head (as Tape.RMSNorm): dx = rstd * (dxhat - xhat*mean(dxhat*xhat)),
// dgain += Σ dy*xhat over rows and heads.
func (tp *Tape) HeadRMSNorm(qkv, gq, gk *Var, nHeads, nKVHeads, headDim int, eps float32) *Var {
	width := (nHeads + 2*nKVHeads) * headDim
	if headDim <= 0 || len(qkv.Value.Data)%width != 0 || len(gq.Value.Data) != headDim || len(gk.Value.Data) != headDim {
		shapePanic("HeadRMSNorm", "qkv "+shapeStr(qkv.Value)+" is not rows of (nHeads+2*nKVHeads)*headDim="+itoa(width)+
			" or a gain is not [headDim="+itoa(headDim)+"]")
	}
	rows, normed := len(qkv.Value.Data)/width, nHeads+nKVHeads
	y := tp.alloc(false, qkv.Value.Shape...)
	rstd := tp.buf(rows*normed, false) // [rows, nHeads+nKVHeads]
	x := qkv.Value.Data
	parallelGrain(rows, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			for h := 0; h < normed; h++ {
				gain := gq.Value.Data
				if h >= nHeads {
					gain = gk.Value.Data
				}
				at := r*width + h*headDim
				rstd[r*normed+h] = RMSNormRow(y.Data[at:at+headDim], x[at:at+headDim], gain, eps)
			}
			v := r*width + normed*headDim
			copy(y.Data[v:(r+1)*width], x[v:(r+1)*width])
		}
	})
	res := result(y, qkv, gq, gk)
	tp.record(res, func(g []float32) {
		headNormBackward(tp, qkv, gq, gk, g, rstd, rows, nHeads, nKVHeads, headDim)
	})
	return res
}

// headNormBackward cuts the rows into a fixed number of chunks (a function of rows only); each chunk
// writes its rows of dqkv and its own partial gain gradients, which are then added in chunk order, so
// the result does not depend on GOMAXPROCS.
func headNormBackward(tp *Tape, qkv, gq, gk *Var, g, rstd []float32, rows, nHeads, nKVHeads, hd int) {
	dx, overwrite := tp.gradOut(qkv)
	dgq, dgk := tp.gradData(gq), tp.gradData(gk)
	if dx == nil && dgq == nil && dgk == nil {
		return
	}
	normed, width := nHeads+nKVHeads, (nHeads+2*nKVHeads)*hd
	chunks := min(maxChunks, max(1, rows/32))
	part := getScratch(chunks * 2 * hd) // [chunks, 2, hd]: partial dgq, dgk
	clear(part)
	x := qkv.Value.Data
	Parallel(chunks, func(clo, chi int) {
		xh := getScratch(hd)
		for c := clo; c < chi; c++ {
			for r := c * rows / chunks; r < (c+1)*rows/chunks; r++ {
				for h := 0; h < normed; h++ {
					gain, pg := gq.Value.Data, part[c*2*hd:c*2*hd+hd]
					if h >= nHeads {
						gain, pg = gk.Value.Data, part[c*2*hd+hd:(c+1)*2*hd]
					}
					at := r*width + h*hd
					rs, gr := rstd[r*normed+h], g[at:at+hd]
					_, sumDX := normRowSums(xh, x[at:at+hd], gr, gain, 0, rs)
					for i, gv := range gr {
						pg[i] += gv * xh[i]
					}
					if dx == nil {
						continue
					}
					meanDX := sumDX / float32(hd)
					dxr := dx[at : at+hd]
					for i, gv := range gr {
						v := rs * (gv*gain[i] - xh[i]*meanDX)
						if overwrite {
							dxr[i] = v
						} else {
							dxr[i] += v
						}
					}
				}
				if dx == nil {
					continue
				}
				v := r*width + normed*hd
				if overwrite {
					copy(dx[v:(r+1)*width], g[v:(r+1)*width])
				} else {
					addInto(dx[v:(r+1)*width], g[v:(r+1)*width])
				}
			}
		}
		putScratch(xh)
	})
	for c := 0; c < chunks; c++ { // fixed order
		if dgq != nil {
			addInto(dgq, part[c*2*hd:c*2*hd+hd])
		}
		if dgk != nil {
			addInto(dgk, part[c*2*hd+hd:(c+1)*2*hd])
		}
	}
	putScratch(part)
}
