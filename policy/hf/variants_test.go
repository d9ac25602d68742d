package hf

import (
	"math"
	"strings"
	"testing"

	"grit/policy"
	"grit/tensor"
)

// Spellings of the same checkpoint that transformers accepts load to the golden log-probs: GPT-2
// tensors without the "transformer." prefix and with the old mask buffers, Llama's old inv_freq
// buffers, and Llama with attention_bias and mlp_bias both true (zero biases change nothing).
func TestEquivalentSpellingsLoad(t *testing.T) {
	g := readGolden(t)
	cases := []struct {
		name, fixture string
		config        func(map[string]any)
		weights       func(w map[string]*tensor.Tensor)
	}{
		{name: "gpt2 base-model names and mask buffers", fixture: "gpt2", weights: func(w map[string]*tensor.Tensor) {
			for name, v := range w {
				delete(w, name)
				w[strings.TrimPrefix(name, "transformer.")] = v
			}
			w["h.0.attn.bias"] = tensor.New(1, 1, 64, 64)
			w["h.1.attn.masked_bias"] = tensor.New()
		}},
		{name: "llama inv_freq buffers", fixture: "qwen3", weights: func(w map[string]*tensor.Tensor) {
			w["model.layers.0.self_attn.rotary_emb.inv_freq"] = tensor.New(6)
		}},
		{name: "llama with all biases", fixture: "llama-tied-bf16",
			config: func(m map[string]any) { m["attention_bias"], m["mlp_bias"] = true, true },
			weights: func(w map[string]*tensor.Tensor) {
				for i := 0; i < 2; i++ {
					p := "model.layers." + string(rune('0'+i)) + "."
					for name, n := range map[string]int{"self_attn.q_proj.bias": 32, "self_attn.k_proj.bias": 8, "self_attn.v_proj.bias": 8,
						"self_attn.o_proj.bias": 32, "mlp.gate_proj.bias": 48, "mlp.up_proj.bias": 48, "mlp.down_proj.bias": 32} {
						w[p+name] = tensor.New(n)
					}
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyFixture(t, c.fixture)
			if c.config != nil {
				editJSON(t, dir, policy.ConfigFile, c.config)
			}
			editWeights(t, dir, c.weights)
			p, err := policy.LoadPolicy(dir)
			if err != nil {
				t.Fatal(err)
			}
			fx := g[c.fixture]
			got, err := p.LogProbs([]policy.Sequence{{Prompt: fx.Tokens[2][:1], Completion: fx.Tokens[2][1:]}})
			if err != nil {
				t.Fatal(err)
			}
			for j, want := range fx.LogProbs[2] {
				if d := math.Abs(float64(got[0][j]) - want); d > 1e-4 {
					t.Fatalf("token %d: %g vs golden %g", j, got[0][j], want)
				}
			}
		})
	}
}

// With both bias switches on, the biases are required: a missing one is named.
func TestLlamaBiasesRequired(t *testing.T) {
	dir := copyFixture(t, "llama-tied-bf16")
	editJSON(t, dir, policy.ConfigFile, func(m map[string]any) { m["attention_bias"], m["mlp_bias"] = true, true })
	_, err := policy.LoadPolicy(dir)
	if err == nil || !strings.Contains(err.Error(), "model.layers.0.self_attn.o_proj.bias") {
		t.Fatalf("got %v", err)
	}
}
