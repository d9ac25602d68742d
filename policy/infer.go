package policy

import (
	"math"

	"grit/tensor"

	"github.com/viterin/vek/vek32"
)

// inference is the tape-free forward used by the sampler: the same function as the training forward,
// computed row by row against a KV cache. Every row's arithmetic depends only on its own token,
// position and cache, never on which other rows share the call, so a sequence's samples do not depend
// on batch composition; kernels split work in fixed partitions, so they do not depend on GOMAXPROCS.
type inference struct {
	m     *GPT
	cfg   Config
	seqs  int                  // sequences in the cache
	ctx   int                  // positions per sequence in the cache
	qDim  int                  // H*hd
	kvDim int                  // KV*hd
	wT    []layerWT            // per layer: weights packed for the matrix kernel
	headT *tensor.PackedWeight // [V, D] output head
	k, v  [][]float32
	arena *tensor.Arena // holds k, v, the packed weights and bufs for this Sample call
	bufs  inferBufs     // activations of one forward call, reused by the next
}

// inferBufs are forward's activation buffers. The first call of a Sample (the prompts' prefill) sizes
// them and every generated token reuses them, instead of allocating a [rows, vocab] logits block and
// the block's activations per token (2.9 GB of garbage per 64 x 192-token sampling phase at
// SmolLM2's shape, which the garbage collector let pile up to twice the live heap).
type inferBufs struct {
	x, h, qkv, att, tmp, hid, act, up, sel, logits []float32
}

// reuse returns (*buf)[:n], taking a new buffer from the arena only when the buffer is too small
// (the garbage collector never sees them: a tiny policy's sampling call made 3.5 MB of garbage
// here, a collection every one or two calls in a rollout worker's small heap). Contents are arbitrary:
// forward overwrites every element it reads.
func (in *inference) reuse(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = in.arena.Floats(n)
	}
	return (*buf)[:n]
}

// layerWT holds one block's weights packed for repeated products x W^T.
type layerWT struct {
	qkv, proj, fc, up, out *tensor.PackedWeight
}

// inferRow is one input position: sequence seq reads token at position pos.
type inferRow struct {
	seq, pos, token int
}

// packed snapshots a Linear weight [out, in] into arena memory for this Sample call (nil for an
// absent weight).
func packed(a *tensor.Arena, p *tensor.Param) *tensor.PackedWeight {
	if p == nil {
		return nil
	}
	out, in := p.Value.Shape[0], p.Value.Shape[1]
	return tensor.PackWeightInto(a.Floats(tensor.PackedLen(out, in)), p.Value.Data, out, in)
}

// newInference snapshots the weights (packed) and allocates a KV cache for seqs sequences of up
// to ctx positions each (at most Context): per layer, K and V are [seqs, ctx, KV*hd]. The cache
// size changes no value, only memory (models with long contexts sample short sequences).
//
// The cache and the packed weights live in an arena from the model's pool (the one training passes
// use: sampling and the update take turns, so they share the memory); release hands it back.
// Cache entries are written before they are read, so the arena's stale contents are never seen.
func newInference(m *GPT, seqs, ctx int) *inference {
	cfg := m.cfg
	ctx = min(ctx, cfg.Context)
	a := m.arenas.Get()
	in := &inference{m: m, cfg: cfg, seqs: seqs, ctx: ctx, qDim: cfg.NHeads * cfg.HeadDim(), kvDim: cfg.KVHeads() * cfg.HeadDim(), arena: a}
	in.wT = make([]layerWT, cfg.NLayers)
	in.k = make([][]float32, cfg.NLayers)
	in.v = make([][]float32, cfg.NLayers)
	for l := range m.blocks {
		b := &m.blocks[l]
		in.wT[l] = layerWT{qkv: packed(a, b.qkvW), proj: packed(a, b.projW), fc: packed(a, b.fcW), up: packed(a, b.upW), out: packed(a, b.outW)}
		in.k[l] = a.Floats(seqs * ctx * in.kvDim) // [S, ctx, KV*hd]
		in.v[l] = a.Floats(seqs * ctx * in.kvDim) // [S, ctx, KV*hd]
	}
	in.headT = packed(a, m.head)
	return in
}

// release hands the arena back to the model's pool; in must not be used afterwards.
func (in *inference) release() {
	in.wT, in.headT, in.k, in.v, in.bufs = nil, nil, nil, nil, inferBufs{}
	in.m.arenas.Put(in.arena)
	in.arena = nil
}

// linearInto sets y[r, out] = x[r, in] @ W^T + b.
func linearInto(y, x []float32, w *tensor.PackedWeight, b *tensor.Param, r, nIn, nOut int) {
	tensor.MatMulPacked(y, x, w, r)
	if b != nil {
		bias := b.Value.Data
		for i := 0; i < r; i++ {
			vek32.Add_Inplace(y[i*nOut:(i+1)*nOut], bias)
		}
	}
}

func (in *inference) normRows(dst, x []float32, g, b *tensor.Param, r int) {
	d := in.cfg.DModel
	tensor.Parallel(r, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if in.cfg.Norm == RMSNorm {
				tensor.RMSNormRow(dst[i*d:(i+1)*d], x[i*d:(i+1)*d], g.Value.Data, in.cfg.NormEps)
			} else {
				tensor.LayerNormRow(dst[i*d:(i+1)*d], x[i*d:(i+1)*d], g.Value.Data, b.Value.Data, in.cfg.NormEps)
			}
		}
	})
}

// forward runs rows through the model, writing their keys and values into the cache, and returns the
// logits [len(want), V] of the rows listed in want. Rows of one sequence must come in increasing
// position order with every earlier position already cached or present earlier in rows.
func (in *inference) forward(rows []inferRow, want []int) []float32 {
	cfg, m := in.cfg, in.m
	r, d, hd := len(rows), cfg.DModel, cfg.HeadDim()
	nH, nKV := cfg.NHeads, cfg.KVHeads()
	qkvDim := in.qDim + 2*in.kvDim
	bf := &in.bufs
	x := in.reuse(&bf.x, r*d) // [R, D] residual stream
	for i, row := range rows {
		xr := x[i*d : (i+1)*d]
		copy(xr, m.wte.Value.Data[row.token*d:(row.token+1)*d])
		if m.wpe != nil {
			pe := m.wpe.Value.Data[row.pos*d : (row.pos+1)*d]
			for j := range xr {
				xr[j] += pe[j]
			}
		}
	}
	h := in.reuse(&bf.h, r*d)                 // [R, D] normed
	qkv := in.reuse(&bf.qkv, r*qkvDim)        // [R, (H+2KV)*hd]
	att := in.reuse(&bf.att, r*in.qDim)       // [R, H*hd]
	tmp := in.reuse(&bf.tmp, r*d)             // [R, D]
	hid := in.reuse(&bf.hid, r*cfg.MLPHidden) // [R, Hid]
	act := in.reuse(&bf.act, r*cfg.MLPHidden) // [R, Hid] activation output (the kernels cannot run in place)
	var up []float32                          // [R, Hid] (swiglu)
	if cfg.Activation == SwiGLU {
		up = in.reuse(&bf.up, r*cfg.MLPHidden)
	}
	for l := range m.blocks {
		b, w := &m.blocks[l], &in.wT[l]
		in.normRows(h, x, b.ln1G, b.ln1B, r)
		linearInto(qkv, h, w.qkv, b.qkvB, r, d, qkvDim)
		kc, vc := in.k[l], in.v[l]
		tensor.Parallel(r, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				row := rows[i]
				q := qkv[i*qkvDim : (i+1)*qkvDim]
				if b.qNorm != nil { // per-head RMSNorm before RoPE, in place (RMSNormRow reads each element before writing it)
					for hh := 0; hh < nH+nKV; hh++ {
						gain := b.qNorm.Value.Data
						if hh >= nH {
							gain = b.kNorm.Value.Data
						}
						tensor.RMSNormRow(q[hh*hd:(hh+1)*hd], q[hh*hd:(hh+1)*hd], gain, cfg.NormEps)
					}
				}
				if m.rope != nil {
					for hh := 0; hh < nH+nKV; hh++ { // q heads then k heads
						m.rope.Apply(q[hh*hd:(hh+1)*hd], row.pos)
					}
				}
				for g := 0; g < nKV; g++ { // cache layout [S, KV, ctx, hd]
					at := ((row.seq*nKV+g)*in.ctx + row.pos) * hd
					copy(kc[at:at+hd], q[in.qDim+g*hd:in.qDim+(g+1)*hd])
					copy(vc[at:at+hd], q[in.qDim+in.kvDim+g*hd:in.qDim+in.kvDim+(g+1)*hd])
				}
			}
		})
		tensor.Parallel(r, func(lo, hi int) {
			scores := make([]float32, (nH/nKV)*in.ctx)
			for i := lo; i < hi; i++ {
				row := rows[i]
				q := qkv[i*qkvDim : i*qkvDim+in.qDim]
				base := row.seq * nKV * in.ctx * hd
				attendRow(att[i*in.qDim:(i+1)*in.qDim], q, kc[base:], vc[base:], row.pos+1, nH, nKV, hd, in.ctx, scores)
			}
		})
		linearInto(tmp, att, w.proj, b.projB, r, in.qDim, d)
		addInPlace(x, tmp)
		in.normRows(h, x, b.ln2G, b.ln2B, r)
		linearInto(hid, h, w.fc, b.fcB, r, d, cfg.MLPHidden)
		if cfg.Activation == GELU {
			tensor.Parallel(r, func(lo, hi int) {
				tensor.GELUInto(act[lo*cfg.MLPHidden:hi*cfg.MLPHidden], hid[lo*cfg.MLPHidden:hi*cfg.MLPHidden])
			})
		} else {
			linearInto(up, h, w.up, b.upB, r, d, cfg.MLPHidden)
			tensor.Parallel(r, func(lo, hi int) {
				lo, hi = lo*cfg.MLPHidden, hi*cfg.MLPHidden
				tensor.SwiGLUInto(act[lo:hi], hid[lo:hi], up[lo:hi])
			})
		}
		linearInto(tmp, act, w.out, b.outB, r, cfg.MLPHidden, d)
		addInPlace(x, tmp)
	}
	sel := in.reuse(&bf.sel, len(want)*d) // [W, D] final-normed rows whose logits are wanted
	for j, i := range want {
		copy(sel[j*d:(j+1)*d], x[i*d:(i+1)*d])
	}
	in.normRows(sel, sel, m.lnfG, m.lnfB, len(want))
	logits := in.reuse(&bf.logits, len(want)*cfg.Vocab) // [W, V], valid until the next call
	tensor.MatMulPacked(logits, sel, in.headT, len(want))
	return logits
}

func addInPlace(dst, src []float32) { vek32.Add_Inplace(dst[:len(src)], src) }

// attendRow is causal attention for one query row over its sequence's first n cached positions:
//
//	out_h = Σ_{p<n} softmax_p(q_h·k_p / sqrt(hd)) v_p,
//
// where query head h reads key/value head h / (H/KV) (grouped-query attention). k and v hold one
// sequence's cache, [KV, ctx, hd]; scores is scratch of at least (H/KV)*ctx.
func attendRow(out, q, k, v []float32, n, nH, nKV, hd, ctx int, scores []float32) {
	group := nH / nKV
	scale := float32(1 / math.Sqrt(float64(hd)))
	for g := 0; g < nKV; g++ {
		kg := k[g*ctx*hd : (g*ctx+n)*hd] // [n, hd]
		vg := v[g*ctx*hd : (g*ctx+n)*hd] // [n, hd]
		w := scores[:group*n]            // [group, n]
		for j := 0; j < group; j++ {
			h := g*group + j
			qh := q[h*hd : (h+1)*hd]
			sc := w[j*n : (j+1)*n]
			tensor.DotRows(sc, qh, kg, n, hd)
			for p := range sc {
				sc[p] *= scale
			}
			tensor.Softmax(sc)
			// out[head h] [hd] = w[j] [n] @ vg [n, hd]
			tensor.WeightedRows(out[h*hd:(h+1)*hd], sc, vg, n, hd)
		}
	}
}
