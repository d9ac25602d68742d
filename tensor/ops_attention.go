package tensor

import (
	"math"

	"github.com/viterin/vek/vek32"
)

// CausalSelfAttention is fused multi-head causal attention with optional RoPE and grouped-query heads.
//
// qkv [batch*seq, (nHeads+2*nKVHeads)*headDim] holds, per row, [q heads | k heads | v heads]. Query
// head h reads key/value head h / (nHeads/nKVHeads). For each sequence and head, with q, k rotated by
// rope (nil = no rotation, for learned positions):
//
//	P = softmax(q k^T / sqrt(headDim) + causal mask),   out = P v.
//
// The result is [batch*seq, nHeads*headDim] (heads concatenated per row). The probabilities P
// [batch, nHeads, seq, seq] are kept for the backward pass:
//
//	dv = P^T dout,  dP = dout v^T,  dS = P * (dP - rowsum(P*dP)),  dq = dS k / sqrt(d),  dk = dS^T q / sqrt(d),
//
// after which dq and dk are rotated back by rope. nKVHeads must divide nHeads.
func (tp *Tape) CausalSelfAttention(qkv *Var, batch, seq, nHeads, nKVHeads, headDim int, rope *RoPE) *Var {
	width := (nHeads + 2*nKVHeads) * headDim
	if nKVHeads <= 0 || nHeads%nKVHeads != 0 || len(qkv.Value.Data) != batch*seq*width {
		shapePanic("CausalSelfAttention", "qkv "+shapeStr(qkv.Value)+" does not match batch*seq="+itoa(batch*seq)+
			" rows of (nHeads+2*nKVHeads)*headDim="+itoa(width)+" (nKVHeads must divide nHeads)")
	}
	if rope != nil && rope.headDim != headDim {
		shapePanic("CausalSelfAttention", "rope built for head size "+itoa(rope.headDim)+", attention uses "+itoa(headDim))
	}
	a := attnShape{batch: batch, seq: seq, nh: nHeads, nkv: nKVHeads, hd: headDim, width: width, rope: rope}
	out := tp.alloc(false, batch*seq, nHeads*headDim) // [B*T, H*hd], every head's columns written below
	x := qkv.Value.Data
	T, hd := seq, headDim
	outW := nHeads * hd
	Parallel(batch*nHeads, func(lo, hi int) {
		p := getScratch(T * T) // [T, T] probabilities of one (sequence, head)
		var q, k []float32     // rotated copies, only with rope
		if rope != nil {
			q, k = getScratch(T*hd), getScratch(T*hd)
		}
		for task := lo; task < hi; task++ {
			b, h := task/nHeads, task%nHeads
			g := h / (nHeads / nKVHeads)
			a.probs(p, x, b, h, q, k)
			// out rows [r0, r1) = P[r0:r1, 0:r1] v[0:r1]: the rest of each row of P is zero.
			base := b * T * width
			vv := view{data: x[base+(nHeads+nKVHeads+g)*hd:], ld: width}
			pv := view{data: p, ld: T}
			for r0 := 0; r0 < T; r0 += gemmMR {
				r1 := min(r0+gemmMR, T)
				gemmBlock(out.Data[base/width*outW+h*hd:], outW, pv, vv, r0, r1, 0, hd, r1, false)
			}
		}
		for _, s := range [][]float32{p, q, k} {
			putScratch(s)
		}
	})
	res := result(out, qkv)
	tp.record(res, func(g []float32) {
		a.backward(tp.gradData(qkv), x, g)
	})
	return res
}

// probs sets p [T, T] to the attention probabilities of query head h of sequence b,
//
//	P = softmax(q k^T / sqrt(hd) + causal mask)   (zero above the diagonal),
//
// reading the heads in place from x [B*T, width], or, with rope, through rotated copies in the
// scratch q, k [T, hd]. Forward and backward both call it, so the recomputed P is bit-identical to
// the one the forward pass used.
func (a attnShape) probs(p, x []float32, b, h int, q, k []float32) {
	T, hd, width := a.seq, a.hd, a.width
	g := h / (a.nh / a.nkv)
	base := b * T * width
	qv := view{data: x[base+h*hd:], ld: width}
	kv := view{data: x[base+(a.nh+g)*hd:], ld: width, trans: true} // k^T
	if a.rope != nil {
		a.gather(q, x, b, h*hd, true)
		a.gather(k, x, b, (a.nh+g)*hd, true)
		qv, kv = view{data: q, ld: hd}, view{data: k, ld: hd, trans: true}
	}
	// Scores q k^T, skipping 6x16 tiles that lie wholly above the diagonal.
	for j := 0; j < T; j += gemmNR {
		gemmBlock(p, T, qv, kv, j/gemmMR*gemmMR, T, j, min(j+gemmNR, T), hd, false)
	}
	scale := float32(1 / math.Sqrt(float64(hd)))
	for i := 0; i < T; i++ {
		row := p[i*T : (i+1)*T]
		vek32.MulNumber_Inplace(row[:i+1], scale)
		softmaxInPlace(row[:i+1])
		clear(row[i+1:])
	}
}

type attnShape struct {
	batch, seq, nh, nkv, hd, width int
	rope                           *RoPE
}

// gather copies the head at column col of each row of sequence b from x [B*T, width] into dst [T, hd],
// rotating by position when rotate and rope is set.
func (a attnShape) gather(dst, x []float32, b, col int, rotate bool) {
	for t := 0; t < a.seq; t++ {
		row := dst[t*a.hd : (t+1)*a.hd]
		copy(row, x[(b*a.seq+t)*a.width+col:])
		if rotate && a.rope != nil {
			a.rope.Apply(row, t)
		}
	}
}

// scatterAdd adds src [T, hd] (optionally rotated back by position) into column col of rows of
// sequence b in dst [B*T, rowWidth]; overwrite replaces instead of adding.
func (a attnShape) scatterAdd(dst []float32, rowWidth int, src []float32, b, col int, unrotate, overwrite bool) {
	for t := 0; t < a.seq; t++ {
		row := src[t*a.hd : (t+1)*a.hd]
		if unrotate && a.rope != nil {
			a.rope.unapply(row, t)
		}
		d := dst[(b*a.seq+t)*rowWidth+col : (b*a.seq+t)*rowWidth+col+a.hd]
		if overwrite {
			copy(d, row)
		} else {
			vek32.Add_Inplace(d, row)
		}
	}
}

// backward runs one task per (sequence, kv head), so each task owns the dq columns of its query heads
// and the dk/dv columns of its kv head: no two goroutines write the same gradient element. Heads are
// read in place from qkv and dout and accumulated in place into dqkv; with rope, q and k are rotated
// copies and dq, dk are rotated back from scratch buffers.
func (a attnShape) backward(dqkv, x, g []float32) {
	if dqkv == nil {
		return
	}
	T, hd, group, width := a.seq, a.hd, a.nh/a.nkv, a.width
	outW := a.nh * hd
	scale := float32(1 / math.Sqrt(float64(hd)))
	Parallel(a.batch*a.nkv, func(lo, hi int) {
		dp, p := getScratch(T*T), getScratch(T*T) // [T, T] each
		var k, q, dk, dq, pq, pk []float32
		if a.rope != nil {
			k, q, dk, dq = getScratch(T*hd), getScratch(T*hd), getScratch(T*hd), getScratch(T*hd)
			pq, pk = getScratch(T*hd), getScratch(T*hd)
		}
		for task := lo; task < hi; task++ {
			b, kvh := task/a.nkv, task%a.nkv
			base := b * T * width
			kv := view{data: x[base+(a.nh+kvh)*hd:], ld: width}
			vt := view{data: x[base+(a.nh+a.nkv+kvh)*hd:], ld: width, trans: true} // v^T
			dv, dvLd := dqkv[base+(a.nh+a.nkv+kvh)*hd:], width
			dkDst, dkLd := dqkv[base+(a.nh+kvh)*hd:], width
			if a.rope != nil {
				a.gather(k, x, b, (a.nh+kvh)*hd, true)
				kv = view{data: k, ld: hd}
				clear(dk)
				dkDst, dkLd = dk, hd
			}
			for h := kvh * group; h < (kvh+1)*group; h++ {
				a.probs(p, x, b, h, pq, pk) // recomputed: the forward pass did not keep P
				qv := view{data: x[base+h*hd:], ld: width}
				if a.rope != nil {
					a.gather(q, x, b, h*hd, true)
					qv = view{data: q, ld: hd}
				}
				dout := view{data: g[b*T*outW+h*hd:], ld: outW}
				gemmBlock(dv, dvLd, view{data: p, ld: T, trans: true}, dout, 0, T, 0, hd, T, true) // dv += P^T dout
				// dP = dout v^T, on and below the diagonal.
				for j := 0; j < T; j += gemmNR {
					gemmBlock(dp, T, dout, vt, j/gemmMR*gemmMR, T, j, min(j+gemmNR, T), hd, false)
				}
				for i := 0; i < T; i++ {
					pr, dr := p[i*T:i*T+i+1], dp[i*T:(i+1)*T]
					dot := vek32.Dot(pr, dr[:i+1])
					for j := 0; j <= i; j++ {
						dr[j] = pr[j] * (dr[j] - dot) * scale
					}
					clear(dr[i+1:])
				}
				// dq = dS k: row i sums over keys 0..i only (dS is zero after).
				dqDst, dqLd, dqAdd := dqkv[base+h*hd:], width, true
				if a.rope != nil {
					dqDst, dqLd, dqAdd = dq, hd, false
				}
				for r0 := 0; r0 < T; r0 += gemmMR {
					r1 := min(r0+gemmMR, T)
					gemmBlock(dqDst, dqLd, view{data: dp, ld: T}, kv, r0, r1, 0, hd, r1, dqAdd)
				}
				if a.rope != nil {
					a.scatterAdd(dqkv, width, dq, b, h*hd, true, false)
				}
				gemmBlock(dkDst, dkLd, view{data: dp, ld: T, trans: true}, qv, 0, T, 0, hd, T, true) // dk += dS^T q
			}
			if a.rope != nil {
				a.scatterAdd(dqkv, width, dk, b, (a.nh+kvh)*hd, true, false)
			}
		}
		for _, s := range [][]float32{dp, p, k, q, dk, dq, pq, pk} {
			putScratch(s)
		}
	})
}

// expFloor is the smallest argument given to vek's SIMD exp: vek32.Exp_Inplace returns NaN or
// huge garbage below about -88 (it does not clamp), and exp(-80) = 1.8e-35 is 0 for any softmax.
const expFloor = -80

// softmaxInPlace replaces x by softmax(x), subtracting the max first for stability. Scores more
// than 80 below the max are raised to -80 first (their probability, ~1e-35, is 0 in effect).
func softmaxInPlace(x []float32) {
	m := vek32.Max(x)
	for i, v := range x {
		x[i] = max(v-m, expFloor)
	}
	vek32.Exp_Inplace(x)
	s := vek32.Sum(x)
	vek32.MulNumber_Inplace(x, 1/s)
}
