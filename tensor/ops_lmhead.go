package tensor

// LinearLogSoftmaxGather is the output head fused with LogSoftmaxGather: for hidden rows x [N, D], a
// head w [V, D] and one target per row it returns, without ever holding the logits of all rows,
//
//	z_i        = w x_i                                   [V] logits of row i
//	lse_i      = log Σ_j exp(z_ij)
//	logp[i]    = z_it - lse_i                             [N]
//	entropy[i] = -Σ_j p_ij log p_ij = lse_i - Σ_j p_ij z_ij,  p_ij = exp(z_ij - lse_i)   [N]
//
// Rows are processed chunkRows at a time (chunkRows <= 0 picks HeadChunkRows(V)): only a [chunk, V]
// block of logits exists at once, and backward recomputes it instead of keeping it. Rows with
// targets[i] outside [0, V) are ignored as in LogSoftmaxGather (0 and no gradient), and their logits
// are never computed.
//
// Backward, for seeds g_i = ∂L/∂logp[i] and e_i = ∂L/∂entropy[i]. With S = Σ_k p_k z_k (so
// entropy = lse - S), ∂lse/∂z_j = p_j and ∂p_k/∂z_j = p_k (1[k=j] - p_j):
//
//	∂logp/∂z_j    = 1[j=t] - p_j
//	∂S/∂z_j       = p_j + Σ_k z_k p_k (1[k=j] - p_j) = p_j + p_j z_j - p_j S
//	∂entropy/∂z_j = p_j - ∂S/∂z_j = -p_j (z_j - S) = -p_j (z_j - lse + entropy)
//
// hence
//
//	dz_ij = g_i (1[j=t] - p_ij) - e_i p_ij (z_ij - lse_i + entropy[i])
//	dx_i  = Σ_j dz_ij w_j           (dx_chunk = dz_chunk w)
//	dw_j += Σ_i dz_ij x_i           (dw += dz_chunk^T x_chunk, accumulated chunk after chunk)
//
// The forward values are bit-identical to Linear followed by LogSoftmaxGather (each logit is the
// same FMA chain, the row reductions are the same functions); the gradients agree to rounding (dw
// sums rows chunk by chunk instead of in one chain). The chunk size depends only on V, so the result
// does not depend on GOMAXPROCS.
func (tp *Tape) LinearLogSoftmaxGather(x, w *Var, targets []int, chunkRows int) (logp, entropy *Var) {
	n, d := lastDim(x.Value)
	if len(w.Value.Shape) != 2 || w.Value.Shape[1] != d {
		shapePanic("LinearLogSoftmaxGather", "head "+shapeStr(w.Value)+" does not match hidden rows "+shapeStr(x.Value)+"; want [V, D]")
	}
	if len(targets) != n {
		shapePanic("LinearLogSoftmaxGather", "got "+itoa(len(targets))+" targets for "+itoa(n)+" hidden rows "+shapeStr(x.Value))
	}
	nv := w.Value.Shape[0]
	if chunkRows <= 0 {
		chunkRows = HeadChunkRows(nv)
	}
	var rows []int // scored rows, in increasing order
	for i, t := range targets {
		if t >= 0 && t < nv {
			rows = append(rows, i)
		}
	}
	lp, ent := New(n), New(n)       // [N], [N]
	lse := tp.buf(max(n, 1), false) // [N], set for the scored rows
	eachHeadChunk(x.Value.Data, w.Value.Data, rows, d, nv, chunkRows, func(idx []int, _, z []float32) {
		parallelGrain(len(idx), 4, func(lo, hi int) {
			pr := getScratch(nv) // [V] probabilities of one row
			for c := lo; c < hi; c++ {
				i := idx[c]
				row := z[c*nv : (c+1)*nv]
				lse[i] = LogSumExp(row)
				lp.Data[i] = row[targets[i]] - lse[i]
				ent.Data[i] = entropyRow(row, lse[i], pr)
			}
			putScratch(pr)
		})
	})
	logp, entropy = result(lp, x, w), result(ent, x, w)
	if !logp.needsGrad {
		return logp, entropy
	}
	tp.backs = append(tp.backs, func() {
		if logp.Grad == nil && entropy.Grad == nil {
			return
		}
		dx, dw := tp.gradData(x), tp.gradData(w)
		eachHeadChunk(x.Value.Data, w.Value.Data, rows, d, nv, chunkRows, func(idx []int, xc, z []float32) {
			nc := len(idx)
			parallelGrain(nc, 4, func(lo, hi int) { // z becomes dz in place
				pr := getScratch(nv)
				for c := lo; c < hi; c++ {
					i := idx[c]
					var gl, ge float32
					if logp.Grad != nil {
						gl = logp.Grad.Data[i]
					}
					if entropy.Grad != nil {
						ge = entropy.Grad.Data[i]
					}
					row := z[c*nv : (c+1)*nv]
					shift := ent.Data[i] - lse[i] // z_j - lse + H
					rowProbs(pr, row, lse[i])
					for j, v := range row {
						p := pr[j]
						row[j] = -gl*p - ge*p*(v+shift)
					}
					row[targets[i]] += gl
				}
				putScratch(pr)
			})
			if dx != nil {
				dxc := getScratch(nc * d) // [chunk, D] = dz w
				gemmPar(dxc, d, view{data: z, ld: nv}, view{data: w.Value.Data, ld: d}, nc, nv, d, false)
				for c, i := range idx {
					addInto(dx[i*d:(i+1)*d], dxc[c*d:(c+1)*d])
				}
				putScratch(dxc)
			}
			if dw != nil {
				MatMulTransAAcc(dw, z, xc, nc, nv, d) // dw [V, D] += dz^T x_chunk
			}
		})
	})
	return logp, entropy
}

// headChunkElems bounds one chunk's logits block: 16 Mi float32 (64 MiB).
const headChunkElems = 1 << 24

// HeadChunkRows is the default number of rows LinearLogSoftmaxGather processes at a time for a
// vocabulary of v: as many as fit a 64 MiB block of logits, clamped to [16, 1024] (341 rows for
// v = 49152, 110 for v = 151936).
func HeadChunkRows(v int) int {
	return min(max(headChunkElems/max(v, 1), 16), 1024)
}

// eachHeadChunk calls fn for consecutive chunks of at most chunkRows of the listed rows of x [N, D]
// with the chunk's gathered rows xc [len(idx), D] and their logits z = xc w^T [len(idx), V]. Both
// buffers are scratch reused by the next chunk; fn may overwrite z.
func eachHeadChunk(x, w []float32, rows []int, d, nv, chunkRows int, fn func(idx []int, xc, z []float32)) {
	if len(rows) == 0 {
		return
	}
	pw := getScratch(packedLen(nv, d))
	defer putScratch(pw)
	wp := packWeightInto(pw, w, nv, d) // packed once for every chunk (MatMulTransB would pack it per call)
	most := min(chunkRows, len(rows))
	xc, z := getScratch(most*d), getScratch(most*nv)
	defer putScratch(xc)
	defer putScratch(z)
	for lo := 0; lo < len(rows); lo += chunkRows {
		idx := rows[lo:min(lo+chunkRows, len(rows))]
		nc := len(idx)
		for c, i := range idx {
			copy(xc[c*d:(c+1)*d], x[i*d:(i+1)*d])
		}
		MatMulPacked(z[:nc*nv], xc[:nc*d], wp, nc)
		fn(idx, xc[:nc*d], z[:nc*nv])
	}
}
