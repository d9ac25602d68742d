package policy

import (
	"fmt"
	"math"
	"math/rand/v2"

	"grit/tensor"
)

// GPT is a decoder-only transformer (GPT-2 block layout, optionally with RMSNorm, SwiGLU, RoPE and
// grouped-query attention) that implements Policy.
//
//	x_0 = wte[tokens] (+ wpe[positions])                 // [B*T, D]
//	x_l = x_{l-1} + Attn(Norm1(x_{l-1}))
//	x_l = x_l + MLP(Norm2(x_l))
//	logits = Norm_f(x_L) · W_head^T                       // [B*T, V]
type GPT struct {
	cfg    Config
	tok    Tokenizer
	params []*tensor.Param // every parameter, in a fixed order (init, checkpoints, optimiser)

	wte, wpe   *tensor.Param // [V, D] token embedding; [Context, D] positions (nil with rope)
	blocks     []block
	lnfG, lnfB *tensor.Param // final norm gain and bias (bias nil with rmsnorm)
	head       *tensor.Param // [V, D] output projection (the token embedding when tied)
	rope       *tensor.RoPE  // rotary tables (nil with learned positions)

	arenas tensor.ArenaPool // activation/gradient memory reused by Forward's tapes, one arena per pass in flight
}

// block holds one transformer layer's parameters. Linear weights are [out, in] (PyTorch layout).
type block struct {
	ln1G, ln1B *tensor.Param // [D] pre-attention norm (bias nil with rmsnorm)
	qkvW, qkvB *tensor.Param // [(H+2*KV)*hd, D], rows laid out [q heads | k heads | v heads]
	qNorm      *tensor.Param // [hd] per-head RMSNorm gain of the queries (nil without QKNorm)
	kNorm      *tensor.Param // [hd] per-head RMSNorm gain of the keys (nil without QKNorm)
	projW      *tensor.Param // [D, H*hd] attention output projection
	projB      *tensor.Param // [D]
	ln2G, ln2B *tensor.Param // [D] pre-MLP norm
	fcW, fcB   *tensor.Param // gelu: [Hid, D] up projection; swiglu: gate [Hid, D]
	upW, upB   *tensor.Param // swiglu only: up [Hid, D]
	outW, outB *tensor.Param // [D, Hid] down projection
}

// NewGPT builds a model with GPT-2 initialisation from seed: weights N(0, 0.02), residual output
// projections N(0, 0.02/sqrt(2*NLayers)), biases 0, norm gains 1.
func NewGPT(cfg Config, tok Tokenizer, seed uint64) (*GPT, error) {
	m, err := newGPTShapes(cfg, tok)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) // stream: parameter init
	resid := 0.02 / math.Sqrt(2*float64(cfg.NLayers))
	normal := func(p *tensor.Param, std float64) {
		if p == nil {
			return
		}
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(rng.NormFloat64() * std)
		}
	}
	ones := func(p *tensor.Param) {
		for i := range p.Value.Data {
			p.Value.Data[i] = 1
		}
	}
	normal(m.wte, 0.02)
	normal(m.wpe, 0.02)
	for i := range m.blocks {
		b := &m.blocks[i]
		ones(b.ln1G)
		ones(b.ln2G)
		if b.qNorm != nil {
			ones(b.qNorm)
			ones(b.kNorm)
		}
		normal(b.qkvW, 0.02)
		normal(b.projW, resid)
		normal(b.fcW, 0.02)
		normal(b.upW, 0.02)
		normal(b.outW, resid)
	}
	ones(m.lnfG)
	if !cfg.TieEmbeddings {
		normal(m.head, 0.02)
	}
	return m, nil
}

// newGPTShapes allocates zero parameters with their checkpoint names.
func newGPTShapes(cfg Config, tok Tokenizer) (*GPT, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, fmt.Errorf("policy: NewGPT needs a tokenizer (e.g. DefaultCharTokenizer())")
	}
	if tok.VocabSize() > cfg.Vocab {
		return nil, fmt.Errorf("policy: tokenizer has %d ids but Config.Vocab is %d; raise Vocab", tok.VocabSize(), cfg.Vocab)
	}
	cfg.ModelType = GritModelType
	m := &GPT{cfg: cfg, tok: tok}
	add := func(name string, shape ...int) *tensor.Param {
		p := tensor.NewParam(name, shape...)
		m.params = append(m.params, p)
		return p
	}
	bias := func(name string, n int) *tensor.Param { // nil (no parameter) without Config.Bias
		if !cfg.Bias {
			return nil
		}
		return add(name, n)
	}
	d, hd, h, kv := cfg.DModel, cfg.HeadDim(), cfg.NHeads, cfg.KVHeads()
	norm := func(prefix string) (*tensor.Param, *tensor.Param) {
		g := add(prefix+".weight", d)
		if cfg.Norm == LayerNorm {
			return g, add(prefix+".bias", d)
		}
		return g, nil
	}
	m.wte = add("wte.weight", cfg.Vocab, d)
	if cfg.Positions == LearnedPositions {
		m.wpe = add("wpe.weight", cfg.Context, d)
	} else {
		m.rope = newRoPE(cfg)
	}
	m.blocks = make([]block, cfg.NLayers)
	for i := range m.blocks {
		b := &m.blocks[i]
		pre := fmt.Sprintf("blocks.%d.", i)
		b.ln1G, b.ln1B = norm(pre + "ln1")
		b.qkvW = add(pre+"attn.qkv.weight", (h+2*kv)*hd, d)
		if cfg.HasQKVBias() {
			b.qkvB = add(pre+"attn.qkv.bias", (h+2*kv)*hd)
		}
		if cfg.QKNorm {
			b.qNorm = add(pre+"attn.q_norm.weight", hd)
			b.kNorm = add(pre+"attn.k_norm.weight", hd)
		}
		b.projW = add(pre+"attn.proj.weight", d, h*hd)
		b.projB = bias(pre+"attn.proj.bias", d)
		b.ln2G, b.ln2B = norm(pre + "ln2")
		if cfg.Activation == GELU {
			b.fcW = add(pre+"mlp.fc.weight", cfg.MLPHidden, d)
			b.fcB = bias(pre+"mlp.fc.bias", cfg.MLPHidden)
		} else {
			b.fcW = add(pre+"mlp.gate.weight", cfg.MLPHidden, d)
			b.fcB = bias(pre+"mlp.gate.bias", cfg.MLPHidden)
			b.upW = add(pre+"mlp.up.weight", cfg.MLPHidden, d)
			b.upB = bias(pre+"mlp.up.bias", cfg.MLPHidden)
		}
		b.outW = add(pre+"mlp.proj.weight", d, cfg.MLPHidden)
		b.outB = bias(pre+"mlp.proj.bias", d)
	}
	m.lnfG, m.lnfB = norm("ln_f")
	if cfg.TieEmbeddings {
		m.head = m.wte
	} else {
		m.head = add("lm_head.weight", cfg.Vocab, d)
	}
	return m, nil
}

// ropeTablePositions caps the positions whose rotations are precomputed; later positions are computed
// by the same function on the fly, so the cap changes no value (models with 128k-token contexts
// would otherwise spend memory and start-up time on tables they rarely read).
const ropeTablePositions = 8192

// newRoPE builds the rotary tables of cfg (with its frequency scaling, if any).
func newRoPE(cfg Config) *tensor.RoPE {
	n := min(cfg.Context, ropeTablePositions)
	if cfg.RoPEScaling != nil {
		return tensor.NewRoPEFreqs(cfg.RoPEScaling.InvFreq(cfg.RoPETheta, cfg.HeadDim()), n)
	}
	return tensor.NewRoPE(cfg.HeadDim(), n, cfg.RoPETheta)
}

// NewGPTShapes builds a model of cfg with every parameter zero, for a loader that fills them (as
// Load does); it checks cfg and the tokenizer like NewGPT. Params() names the parameters.
func NewGPTShapes(cfg Config, tok Tokenizer) (*GPT, error) { return newGPTShapes(cfg, tok) }

// Config returns the model's configuration.
func (m *GPT) Config() Config { return m.cfg }

// NumParams counts the scalar parameters (a tied embedding once).
func (m *GPT) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += p.Value.Len()
	}
	return n
}

// Tokenizer returns the model's tokenizer.
func (m *GPT) Tokenizer() Tokenizer { return m.tok }

// ContextLen is the most tokens the model reads; a predicted or sampled sequence holds at most
// ContextLen()+1 tokens (the last one is predicted, never read).
func (m *GPT) ContextLen() int { return m.cfg.Context }

// Params returns every parameter in a fixed order.
func (m *GPT) Params() []*tensor.Param { return m.params }

// ZeroGrad clears every parameter gradient.
func (m *GPT) ZeroGrad() {
	for _, p := range m.params {
		clear(p.Grad.Data)
	}
}

var _ Policy = (*GPT)(nil)
