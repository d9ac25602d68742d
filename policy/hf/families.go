package hf

import (
	"fmt"
	"slices"
	"strings"

	"grit/policy"
)

// A family is one Hugging Face model_type: how its config.json becomes a policy.Config and how its
// tensors map onto GPT's parameters.
type family struct {
	modelType    string
	architecture string                                        // the CausalLM class written to "architectures"
	config       func(c *hfConfig) policy.Config               // reads config.json (errors collected in c)
	slots        func(cfg policy.Config, prefix string) []slot // every tensor on disk except a tied lm_head
	prefixes     []string                                      // accepted name prefixes of the base model; Save writes the first
	ignored      func(name, prefix string) bool                // buffers older versions saved that carry no weights
	headName     string                                        // lm_head tensor name (optional on disk when tied)
}

// slot maps one Hugging Face tensor onto (part of) a GPT parameter: the tensor fills the param's
// rows [row, row+rows) (all of it unless fused q/k/v). transpose marks GPT-2's Conv1D weights, stored
// [in, out] where GPT keeps [out, in].
type slot struct {
	name      string
	shape     []int // on disk
	param     string
	row       int
	transpose bool
}

var families = map[string]*family{}

func register(f *family) {
	families[f.modelType] = f
	policy.RegisterModel(f.modelType, func(dir string, configJSON []byte, tok policy.Tokenizer) (policy.Policy, error) {
		return load(f, dir, configJSON, tok)
	})
}

func init() {
	for _, f := range []*family{
		{modelType: "llama", architecture: "LlamaForCausalLM", config: llamaConfig},
		{modelType: "qwen2", architecture: "Qwen2ForCausalLM", config: qwen2Config},
		{modelType: "qwen3", architecture: "Qwen3ForCausalLM", config: qwen3Config},
	} {
		f.slots, f.prefixes, f.ignored, f.headName = llamaSlots, []string{"model."}, llamaIgnored, "lm_head.weight"
		register(f)
	}
	register(&family{modelType: "gpt2", architecture: "GPT2LMHeadModel", config: gpt2Config, slots: gpt2Slots,
		prefixes: []string{"transformer.", ""}, ignored: gpt2Ignored, headName: "lm_head.weight"})
}

// llamaShape reads what Llama, Qwen2 and Qwen3 share: RMSNorm, SwiGLU, RoPE, grouped-query attention.
func llamaShape(c *hfConfig, defaultTie bool) policy.Config {
	cfg := policy.Config{
		Vocab:         c.intKey("vocab_size"),
		DModel:        c.intKey("hidden_size"),
		NHeads:        c.intKey("num_attention_heads"),
		NLayers:       c.intKey("num_hidden_layers"),
		MLPHidden:     c.intKey("intermediate_size"),
		Context:       c.intKey("max_position_embeddings"),
		Norm:          policy.RMSNorm,
		Activation:    policy.SwiGLU,
		Positions:     policy.RoPEPositions,
		NormEps:       float32(c.floatOr("rms_norm_eps", 1e-6)),
		TieEmbeddings: c.boolOr("tie_word_embeddings", defaultTie),
	}
	cfg.NKVHeads = c.intOr("num_key_value_heads", cfg.NHeads)
	cfg.RoPETheta, cfg.RoPEScaling = c.rope()
	c.oneOf("hidden_act", "silu", "silu")
	c.dtype()
	c.rejectPresent("quantization_config", "load the unquantised checkpoint")
	if f, ok := c.number("partial_rotary_factor"); ok && f != 1 {
		c.fail("partial_rotary_factor %v is not supported (only 1: RoPE on the whole head)", f)
	}
	if c.has("head_dim") {
		if hd := c.intKey("head_dim"); cfg.NHeads > 0 && (hd*cfg.NHeads != cfg.DModel) {
			cfg.HeadDimension = hd
		}
	}
	return cfg
}

// rejectSlidingWindow fails unless every layer attends over the full context.
func rejectSlidingWindow(c *hfConfig) {
	c.rejectTrue("use_sliding_window", "sliding-window attention is not implemented")
	if x, ok := c.get("layer_types"); ok {
		types, isList := x.([]any)
		if !isList {
			c.fail("layer_types must be a list, got %v", x)
			return
		}
		for i, t := range types {
			if t != "full_attention" {
				c.fail("layer_types[%d] is %v; only \"full_attention\" is supported", i, t)
			}
		}
	}
}

// llamaConfig: attention_bias (q, k, v, o) and mlp_bias (gate, up, down) are honoured when both are
// true (policy.Config.Bias) or both false; one without the other is rejected.
func llamaConfig(c *hfConfig) policy.Config {
	cfg := llamaShape(c, false)
	attn, mlp := c.boolOr("attention_bias", false), c.boolOr("mlp_bias", false)
	if attn != mlp {
		c.fail("attention_bias = %v with mlp_bias = %v is not supported (both true or both false)", attn, mlp)
	}
	cfg.Bias = attn && mlp
	rejectSlidingWindow(c)
	return cfg
}

// qwen2Config: biases on q, k and v only (hard-wired in transformers' Qwen2 attention).
func qwen2Config(c *hfConfig) policy.Config {
	cfg := llamaShape(c, false)
	cfg.QKVBias = true
	rejectSlidingWindow(c)
	return cfg
}

// qwen3Config: per-head q/k RMSNorm, no q/k/v bias, an explicit head_dim.
func qwen3Config(c *hfConfig) policy.Config {
	if !c.has("head_dim") {
		c.fail("key %q is missing (Qwen3 heads need not be hidden_size/num_attention_heads wide)", "head_dim")
	}
	cfg := llamaShape(c, false)
	cfg.QKNorm = true
	c.rejectTrue("attention_bias", "Qwen3 checkpoints with attention biases are not supported")
	rejectSlidingWindow(c)
	return cfg
}

// gpt2Config: LayerNorm with bias, learned positions, tanh-GELU, biases everywhere. Dropout settings
// are ignored: grit trains without dropout.
func gpt2Config(c *hfConfig) policy.Config {
	d := c.intKey("n_embd")
	cfg := policy.Config{
		Vocab:         c.intKey("vocab_size"),
		DModel:        d,
		NHeads:        c.intKey("n_head"),
		NLayers:       c.intKey("n_layer"),
		MLPHidden:     c.intOr("n_inner", 4*d),
		Context:       c.intKey("n_positions"),
		Norm:          policy.LayerNorm,
		Activation:    policy.GELU,
		Positions:     policy.LearnedPositions,
		RoPETheta:     10000, // unused with learned positions
		NormEps:       float32(c.floatOr("layer_norm_epsilon", 1e-5)),
		TieEmbeddings: c.boolOr("tie_word_embeddings", true),
		Bias:          true,
	}
	// gelu_new and gelu_pytorch_tanh are the same tanh approximation grit's GELU computes.
	c.oneOf("activation_function", "gelu_new", "gelu_new", "gelu_pytorch_tanh")
	c.dtype()
	c.rejectPresent("quantization_config", "load the unquantised checkpoint")
	if !c.boolOr("scale_attn_weights", true) {
		c.fail("scale_attn_weights = false is not supported (attention scores are always divided by sqrt(head_dim))")
	}
	c.rejectTrue("scale_attn_by_inverse_layer_idx", "attention scores are not scaled per layer")
	c.rejectTrue("add_cross_attention", "a decoder-only policy has no cross-attention")
	return cfg
}

// llamaSlots names the tensors of LlamaForCausalLM, Qwen2ForCausalLM and Qwen3ForCausalLM.
func llamaSlots(cfg policy.Config, prefix string) []slot {
	d, hd, h, kv, hid := cfg.DModel, cfg.HeadDim(), cfg.NHeads, cfg.KVHeads(), cfg.MLPHidden
	s := []slot{{name: prefix + "embed_tokens.weight", shape: []int{cfg.Vocab, d}, param: "wte.weight"}}
	for i := 0; i < cfg.NLayers; i++ {
		hf, g := fmt.Sprintf("%slayers.%d.", prefix, i), fmt.Sprintf("blocks.%d.", i)
		s = append(s,
			slot{name: hf + "input_layernorm.weight", shape: []int{d}, param: g + "ln1.weight"},
			slot{name: hf + "self_attn.q_proj.weight", shape: []int{h * hd, d}, param: g + "attn.qkv.weight"},
			slot{name: hf + "self_attn.k_proj.weight", shape: []int{kv * hd, d}, param: g + "attn.qkv.weight", row: h * hd},
			slot{name: hf + "self_attn.v_proj.weight", shape: []int{kv * hd, d}, param: g + "attn.qkv.weight", row: (h + kv) * hd},
			slot{name: hf + "self_attn.o_proj.weight", shape: []int{d, h * hd}, param: g + "attn.proj.weight"},
			slot{name: hf + "post_attention_layernorm.weight", shape: []int{d}, param: g + "ln2.weight"},
			slot{name: hf + "mlp.gate_proj.weight", shape: []int{hid, d}, param: g + "mlp.gate.weight"},
			slot{name: hf + "mlp.up_proj.weight", shape: []int{hid, d}, param: g + "mlp.up.weight"},
			slot{name: hf + "mlp.down_proj.weight", shape: []int{d, hid}, param: g + "mlp.proj.weight"},
		)
		if cfg.HasQKVBias() {
			s = append(s,
				slot{name: hf + "self_attn.q_proj.bias", shape: []int{h * hd}, param: g + "attn.qkv.bias"},
				slot{name: hf + "self_attn.k_proj.bias", shape: []int{kv * hd}, param: g + "attn.qkv.bias", row: h * hd},
				slot{name: hf + "self_attn.v_proj.bias", shape: []int{kv * hd}, param: g + "attn.qkv.bias", row: (h + kv) * hd})
		}
		if cfg.Bias {
			s = append(s,
				slot{name: hf + "self_attn.o_proj.bias", shape: []int{d}, param: g + "attn.proj.bias"},
				slot{name: hf + "mlp.gate_proj.bias", shape: []int{hid}, param: g + "mlp.gate.bias"},
				slot{name: hf + "mlp.up_proj.bias", shape: []int{hid}, param: g + "mlp.up.bias"},
				slot{name: hf + "mlp.down_proj.bias", shape: []int{d}, param: g + "mlp.proj.bias"})
		}
		if cfg.QKNorm {
			s = append(s,
				slot{name: hf + "self_attn.q_norm.weight", shape: []int{hd}, param: g + "attn.q_norm.weight"},
				slot{name: hf + "self_attn.k_norm.weight", shape: []int{hd}, param: g + "attn.k_norm.weight"})
		}
	}
	s = append(s, slot{name: prefix + "norm.weight", shape: []int{d}, param: "ln_f.weight"})
	if !cfg.TieEmbeddings {
		s = append(s, slot{name: "lm_head.weight", shape: []int{cfg.Vocab, d}, param: "lm_head.weight"})
	}
	return s
}

// llamaIgnored: transformers before 4.31 saved each layer's RoPE inverse frequencies as a buffer;
// they are recomputed from config.json, so the saved copy is skipped.
func llamaIgnored(name, prefix string) bool {
	return strings.HasPrefix(name, prefix+"layers.") && strings.HasSuffix(name, ".self_attn.rotary_emb.inv_freq")
}

// gpt2Slots names the tensors of GPT2LMHeadModel. Its Conv1D layers (c_attn, c_proj, c_fc) store
// their weights [in, out], the transpose of a Linear's [out, in]: they are transposed on load and
// back on save. c_attn's output columns are [q | k | v], each n_embd wide with heads contiguous,
// which is exactly GPT's fused qkv row layout.
func gpt2Slots(cfg policy.Config, prefix string) []slot {
	d, hid := cfg.DModel, cfg.MLPHidden
	s := []slot{
		{name: prefix + "wte.weight", shape: []int{cfg.Vocab, d}, param: "wte.weight"},
		{name: prefix + "wpe.weight", shape: []int{cfg.Context, d}, param: "wpe.weight"},
	}
	for i := 0; i < cfg.NLayers; i++ {
		hf, g := fmt.Sprintf("%sh.%d.", prefix, i), fmt.Sprintf("blocks.%d.", i)
		s = append(s,
			slot{name: hf + "ln_1.weight", shape: []int{d}, param: g + "ln1.weight"},
			slot{name: hf + "ln_1.bias", shape: []int{d}, param: g + "ln1.bias"},
			slot{name: hf + "attn.c_attn.weight", shape: []int{d, 3 * d}, param: g + "attn.qkv.weight", transpose: true},
			slot{name: hf + "attn.c_attn.bias", shape: []int{3 * d}, param: g + "attn.qkv.bias"},
			slot{name: hf + "attn.c_proj.weight", shape: []int{d, d}, param: g + "attn.proj.weight", transpose: true},
			slot{name: hf + "attn.c_proj.bias", shape: []int{d}, param: g + "attn.proj.bias"},
			slot{name: hf + "ln_2.weight", shape: []int{d}, param: g + "ln2.weight"},
			slot{name: hf + "ln_2.bias", shape: []int{d}, param: g + "ln2.bias"},
			slot{name: hf + "mlp.c_fc.weight", shape: []int{d, hid}, param: g + "mlp.fc.weight", transpose: true},
			slot{name: hf + "mlp.c_fc.bias", shape: []int{hid}, param: g + "mlp.fc.bias"},
			slot{name: hf + "mlp.c_proj.weight", shape: []int{hid, d}, param: g + "mlp.proj.weight", transpose: true},
			slot{name: hf + "mlp.c_proj.bias", shape: []int{d}, param: g + "mlp.proj.bias"},
		)
	}
	s = append(s,
		slot{name: prefix + "ln_f.weight", shape: []int{d}, param: "ln_f.weight"},
		slot{name: prefix + "ln_f.bias", shape: []int{d}, param: "ln_f.bias"})
	if !cfg.TieEmbeddings {
		s = append(s, slot{name: "lm_head.weight", shape: []int{cfg.Vocab, d}, param: "lm_head.weight"})
	}
	return s
}

// gpt2Ignored: older GPT-2 checkpoints saved each layer's causal mask (attn.bias, a [1,1,n,n]
// triangle) and attn.masked_bias (a constant); they hold no weights.
func gpt2Ignored(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix+"h.") {
		return false
	}
	return slices.ContainsFunc([]string{".attn.bias", ".attn.masked_bias"}, func(s string) bool { return strings.HasSuffix(name, s) })
}
