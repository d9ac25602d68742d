package policy

import (
	"fmt"
	"sync"

	"grit/tensor"
)

// tapeModel records the model's forward on one tape, with one leaf per parameter.
type tapeModel struct {
	m    *GPT
	tp   *tensor.Tape
	vars map[*tensor.Param]*tensor.Var
}

func (tm *tapeModel) p(p *tensor.Param) *tensor.Var {
	if p == nil {
		return nil
	}
	v, ok := tm.vars[p]
	if !ok {
		v = tm.tp.Param(p)
		tm.vars[p] = v
	}
	return v
}

func (tm *tapeModel) norm(x *tensor.Var, g, b *tensor.Param) *tensor.Var {
	if tm.m.cfg.Norm == RMSNorm {
		return tm.tp.RMSNorm(x, tm.p(g), tm.m.cfg.NormEps)
	}
	return tm.tp.LayerNorm(x, tm.p(g), tm.p(b), tm.m.cfg.NormEps)
}

// fusedHeadMinVocab is the vocabulary from which the training forward scores tokens with the fused,
// chunked head (tensor.LinearLogSoftmaxGather) instead of Linear + LogSoftmaxGather. Below it (the
// character models, V = 64) the [B*T, V] logits are small and the unfused path keeps their results
// bit-identical to earlier versions; from it on (BPE vocabularies of 49k-152k) the logits of a batch
// would take gigabytes, so only a block of rows exists at a time and prompt/padding rows are skipped.
// Both paths give bit-identical log-probs and entropies; gradients agree to float32 rounding.
const fusedHeadMinVocab = 4096

// scoreTargets returns log p(target) and the entropy [B*T] of every row of a [B, T] grid of inputs
// (0 for rows whose target is -1).
func (tm *tapeModel) scoreTargets(inputs, targets []int, B, T int) (logp, entropy *tensor.Var) {
	x := tm.hidden(inputs, B, T) // [B*T, D]
	if tm.m.cfg.Vocab >= fusedHeadMinVocab {
		return tm.tp.LinearLogSoftmaxGather(x, tm.p(tm.m.head), targets, 0)
	}
	logits := tm.tp.Linear(x, tm.p(tm.m.head), nil) // [B*T, V]
	return tm.tp.LogSoftmaxGather(logits, targets)
}

// hidden runs the decoder over a [B, T] grid of input tokens and returns the final-normed hidden
// states [B*T, D] that the head turns into logits.
func (tm *tapeModel) hidden(inputs []int, B, T int) *tensor.Var {
	m, tp, cfg := tm.m, tm.tp, tm.m.cfg
	x := tp.Embedding(tm.p(m.wte), inputs) // [B*T, D]
	if m.wpe != nil {
		pos := make([]int, B*T)
		for i := range pos {
			pos[i] = i % T
		}
		x = tp.Add(x, tp.Embedding(tm.p(m.wpe), pos)) // [B*T, D]
	}
	for i := range m.blocks {
		b := &m.blocks[i]
		h := tm.norm(x, b.ln1G, b.ln1B)                 // [B*T, D]
		qkv := tp.Linear(h, tm.p(b.qkvW), tm.p(b.qkvB)) // [B*T, (H+2KV)*hd]
		if b.qNorm != nil {
			qkv = tp.HeadRMSNorm(qkv, tm.p(b.qNorm), tm.p(b.kNorm), cfg.NHeads, cfg.KVHeads(), cfg.HeadDim(), cfg.NormEps)
		}
		att := tp.CausalSelfAttention(qkv, B, T, cfg.NHeads, cfg.KVHeads(), cfg.HeadDim(), m.rope) // [B*T, H*hd]
		x = tp.AddLinear(x, att, tm.p(b.projW), tm.p(b.projB))                                     // x + proj(att) [B*T, D]
		h = tm.norm(x, b.ln2G, b.ln2B)
		if cfg.Activation == GELU {
			u := tp.GELU(tp.Linear(h, tm.p(b.fcW), tm.p(b.fcB))) // [B*T, Hid]
			x = tp.AddLinear(x, u, tm.p(b.outW), tm.p(b.outB))   // x + down(u) [B*T, D]
		} else {
			gate := tp.Linear(h, tm.p(b.fcW), tm.p(b.fcB))                  // [B*T, Hid]
			up := tp.Linear(h, tm.p(b.upW), tm.p(b.upB))                    // [B*T, Hid]
			x = tp.AddSwiGLULinear(x, gate, up, tm.p(b.outW), tm.p(b.outB)) // x + down(silu(gate) up) [B*T, D]
		}
	}
	return tm.norm(x, m.lnfG, m.lnfB)
}

// LogProbs computes completions' log-probs without keeping anything for backward.
func (m *GPT) LogProbs(seqs []Sequence) ([][]float32, error) {
	pass, release, err := m.forward(seqs)
	if err != nil {
		return nil, err
	}
	release() // LogProbs are copies; the tape's buffers go back to the pool
	return pass.LogProbs, nil
}

// Forward computes completions' log-probs on a tape. The returned Pass's Backward adds
//
//	∂/∂θ Σ_b Σ_t dLogProbs[b][t]·logp[b][t] + dEntropy[b][t]·H[b][t]
//
// into Params' gradients, where logp[b][t] = log softmax(logits)[Completion[t]] and
// H = -Σ_v p_v log p_v at the position that predicts Completion[t].
func (m *GPT) Forward(seqs []Sequence) (*Pass, error) {
	pass, _, err := m.forward(seqs)
	return pass, err
}

// forward is Forward that also returns release, which hands the pass's tape memory back to the
// model's arena pool when the pass will not run Backward (Backward hands it back itself). The tape's
// activations and gradients live in an arena taken from m.arenas; only the LogProbs/Entropy copies
// leave the pass, so recycling the arena after Backward (or release) cannot change what callers hold.
// A pass that is dropped without either leaves its arena to the garbage collector.
func (m *GPT) forward(seqs []Sequence) (pass *Pass, release func(), err error) {
	release = func() {}
	pb, err := newPaddedBatch(seqs, m.cfg, m.tok.PAD())
	if err != nil {
		return nil, release, err
	}
	pass = &Pass{LogProbs: make([][]float32, pb.B), Entropy: make([][]float32, pb.B)}
	for b := range pb.rows {
		pass.LogProbs[b] = make([]float32, len(pb.rows[b]))
		pass.Entropy[b] = make([]float32, len(pb.rows[b]))
	}
	if pb.T == 0 { // only one-token prompts with empty completions: nothing to predict
		pass.Backward = func(dLogProbs, dEntropy [][]float32) error { return checkGradShape(pb, dLogProbs, dEntropy) }
		return pass, release, nil
	}
	arena := m.arenas.Get()
	var once sync.Once
	release = func() { once.Do(func() { m.arenas.Put(arena) }) }
	tm := &tapeModel{m: m, tp: tensor.NewTapeOn(arena), vars: map[*tensor.Param]*tensor.Var{}}
	logp, entropy := tm.scoreTargets(pb.inputs, pb.targets, pb.B, pb.T) // [B*T] each
	for b, rows := range pb.rows {
		for i, r := range rows {
			pass.LogProbs[b][i] = logp.Value.Data[r]
			pass.Entropy[b][i] = entropy.Value.Data[r]
		}
	}
	used := false
	pass.Backward = func(dLogProbs, dEntropy [][]float32) error {
		if used {
			return fmt.Errorf("policy: Pass.Backward called twice; run Forward again for another backward")
		}
		if err := checkGradShape(pb, dLogProbs, dEntropy); err != nil {
			return err
		}
		used = true
		g := tm.tp.GradOf(logp) // [B*T]
		for b, rows := range pb.rows {
			for i, r := range rows {
				g.Data[r] = dLogProbs[b][i]
			}
		}
		if dEntropy != nil {
			ge := tm.tp.GradOf(entropy) // [B*T]
			for b, rows := range pb.rows {
				for i, r := range rows {
					ge.Data[r] = dEntropy[b][i]
				}
			}
		}
		tm.tp.Backward()
		release()
		return nil
	}
	return pass, release, nil
}

// checkGradShape requires dLogProbs (and dEntropy when given) shaped like the pass's completions.
func checkGradShape(pb *paddedBatch, dLogProbs, dEntropy [][]float32) error {
	check := func(name string, d [][]float32) error {
		if len(d) != pb.B {
			return fmt.Errorf("policy: Pass.Backward: %s has %d sequences, the pass has %d", name, len(d), pb.B)
		}
		for b, rows := range pb.rows {
			if len(d[b]) != len(rows) {
				return fmt.Errorf("policy: Pass.Backward: %s[%d] has %d values, completion %d has %d tokens", name, b, len(d[b]), b, len(rows))
			}
		}
		return nil
	}
	if err := check("dLogProbs", dLogProbs); err != nil {
		return err
	}
	if dEntropy != nil {
		return check("dEntropy", dEntropy)
	}
	return nil
}

// CrossEntropy is supervised fine-tuning's loss: the mean negative log-likelihood of every
// completion token given its prefix (prompt tokens are context only),
//
//	L = -(1/N) Σ_b Σ_t log p(Completion[b][t] | Prompt[b], Completion[b][:t]),  N = Σ_b len(Completion[b]).
//
// backward adds ∂L/∂θ into Params' gradients (call it at most once). It needs only p's Forward, so
// every model family gets it.
func CrossEntropy(p Policy, seqs []Sequence) (loss float32, backward func() error, err error) {
	pass, err := p.Forward(seqs)
	if err != nil {
		return 0, nil, err
	}
	n := 0
	var sum float64
	for _, lp := range pass.LogProbs {
		n += len(lp)
		for _, v := range lp {
			sum += float64(v)
		}
	}
	if n == 0 {
		return 0, nil, fmt.Errorf("policy: CrossEntropy: no completion tokens to predict")
	}
	d := make([][]float32, len(pass.LogProbs))
	for b, lp := range pass.LogProbs {
		d[b] = make([]float32, len(lp))
		for i := range d[b] {
			d[b][i] = -1 / float32(n)
		}
	}
	return float32(-sum / float64(n)), func() error { return pass.Backward(d, nil) }, nil
}
