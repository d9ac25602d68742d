package hf

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/policy"
	"grit/tensor"
)

// copyFixture copies a testdata folder into a temporary one.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", name, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644)
	}
	return dst
}

// editJSON rewrites dir/file through edit.
func editJSON(t *testing.T, dir, file string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, file)
	raw, _ := os.ReadFile(path)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, _ := json.Marshal(m)
	os.WriteFile(path, out, 0o644)
}

// editWeights rewrites dir's single model.safetensors (as F32) through edit.
func editWeights(t *testing.T, dir string, edit func(w map[string]*tensor.Tensor)) {
	t.Helper()
	path := filepath.Join(dir, policy.WeightsFile)
	w, _, err := policy.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(w)
	if err := policy.WriteSafetensors(path, w, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
}

func TestBadFoldersGiveErrorsNamingTheProblem(t *testing.T) {
	set := func(kv ...any) func(map[string]any) {
		return func(m map[string]any) {
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] == nil {
					delete(m, kv[i].(string))
				} else {
					m[kv[i].(string)] = kv[i+1]
				}
			}
		}
	}
	cases := []struct {
		name, fixture string
		config        func(map[string]any)
		weights       func(map[string]*tensor.Tensor)
		mentions      []string
	}{
		{name: "unsupported rope type", fixture: "llama-tied-bf16", config: set("rope_scaling", map[string]any{"rope_type": "yarn", "factor": 4}), mentions: []string{"rope_type", "yarn"}},
		{name: "rope v4 and v5 both set", fixture: "llama3-scaled-sharded", config: set("rope_scaling", map[string]any{"rope_type": "default"}), mentions: []string{"rope_parameters", "rope_scaling"}},
		{name: "llama3 key missing", fixture: "llama3-scaled-sharded", config: func(m map[string]any) { delete(m["rope_parameters"].(map[string]any), "low_freq_factor") }, mentions: []string{"low_freq_factor"}},
		{name: "unknown rope key", fixture: "llama3-scaled-sharded", config: func(m map[string]any) { m["rope_parameters"].(map[string]any)["beta_fast"] = 32 }, mentions: []string{"beta_fast"}},
		{name: "attention bias without mlp bias", fixture: "llama-tied-bf16", config: set("attention_bias", true), mentions: []string{"attention_bias"}},
		{name: "sliding window", fixture: "qwen3", config: set("use_sliding_window", true), mentions: []string{"use_sliding_window"}},
		{name: "sliding layer type", fixture: "qwen3", config: set("layer_types", []any{"full_attention", "sliding_attention"}), mentions: []string{"layer_types[1]"}},
		{name: "qwen3 without head_dim", fixture: "qwen3", config: set("head_dim", nil), mentions: []string{"head_dim"}},
		{name: "missing shape key", fixture: "llama-tied-bf16", config: set("hidden_size", nil), mentions: []string{"hidden_size"}},
		{name: "activation", fixture: "llama-tied-bf16", config: set("hidden_act", "gelu"), mentions: []string{"hidden_act"}},
		{name: "gpt2 exact gelu", fixture: "gpt2", config: set("activation_function", "gelu"), mentions: []string{"activation_function"}},
		{name: "gpt2 layer-scaled attention", fixture: "gpt2", config: set("scale_attn_by_inverse_layer_idx", true), mentions: []string{"scale_attn_by_inverse_layer_idx"}},
		{name: "other head", fixture: "qwen3", config: set("architectures", []any{"Qwen3ForSequenceClassification"}), mentions: []string{"architectures"}},
		{name: "quantised", fixture: "qwen3", config: set("quantization_config", map[string]any{"bits": 4}), mentions: []string{"quantization_config"}},
		{name: "dtype", fixture: "qwen3", config: set("torch_dtype", "int8"), mentions: []string{"torch_dtype", "int8"}},
		{name: "partial rotary", fixture: "qwen3", config: set("partial_rotary_factor", 0.5), mentions: []string{"partial_rotary_factor"}},
		{name: "missing tensor", fixture: "qwen3", weights: func(w map[string]*tensor.Tensor) { delete(w, "model.layers.1.self_attn.k_norm.weight") },
			mentions: []string{"model.layers.1.self_attn.k_norm.weight", "missing"}},
		{name: "unexpected tensor", fixture: "qwen3", weights: func(w map[string]*tensor.Tensor) { w["model.layers.0.self_attn.o_proj.bias"] = tensor.New(32) },
			mentions: []string{"model.layers.0.self_attn.o_proj.bias", "unexpected"}},
		{name: "misshapen tensor", fixture: "qwen3", weights: func(w map[string]*tensor.Tensor) { w["model.layers.0.self_attn.q_proj.weight"].Shape = []int{32, 48} },
			mentions: []string{"model.layers.0.self_attn.q_proj.weight", "[32 48]", "[48 32]"}},
		{name: "tied head differs", fixture: "qwen2-tied-f16", weights: func(w map[string]*tensor.Tensor) { w["lm_head.weight"].Data[5] += 1 },
			mentions: []string{"lm_head.weight", "tie_word_embeddings"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyFixture(t, c.fixture)
			if c.config != nil {
				editJSON(t, dir, policy.ConfigFile, c.config)
			}
			if c.weights != nil {
				editWeights(t, dir, c.weights)
			}
			if _, err := policy.LoadPolicy(dir); err != nil {
				t.Log(err)
				for _, want := range c.mentions {
					if !strings.Contains(err.Error(), want) {
						t.Fatalf("error %q does not mention %q", err, want)
					}
				}
				return
			}
			t.Fatal("want an error")
		})
	}
}

// A weight with a non-float dtype is rejected by name.
func TestIntegerWeightRejected(t *testing.T) {
	dir := copyFixture(t, "qwen3")
	path := filepath.Join(dir, policy.WeightsFile)
	raw, _ := os.ReadFile(path)
	old := []byte(`"model.norm.weight":{"dtype":"F32"`)
	if !bytes.Contains(raw, old) {
		t.Fatal("fixture header layout changed")
	}
	os.WriteFile(path, bytes.Replace(raw, old, []byte(`"model.norm.weight":{"dtype":"I32"`), 1), 0o644)
	_, err := policy.LoadPolicy(dir)
	if err == nil || !strings.Contains(err.Error(), "model.norm.weight") || !strings.Contains(err.Error(), "I32") {
		t.Fatalf("got %v", err)
	}
}

// An index that puts a tensor in the wrong shard, or names a shard that lacks it, is an error.
func TestInconsistentShardIndex(t *testing.T) {
	dir := copyFixture(t, "llama3-scaled-sharded")
	editJSON(t, dir, IndexFile, func(m map[string]any) {
		wm := m["weight_map"].(map[string]any)
		wm["model.norm.weight"] = "model-00001-of-00002.safetensors" // it lives in the second shard
	})
	_, err := policy.LoadPolicy(dir)
	if err == nil || !strings.Contains(err.Error(), "model.norm.weight") {
		t.Fatalf("got %v", err)
	}
	os.Remove(filepath.Join(dir, "model-00002-of-00002.safetensors"))
	if _, err := policy.LoadPolicy(dir); err == nil || !strings.Contains(err.Error(), "model-00002-of-00002") {
		t.Fatalf("missing shard: got %v", err)
	}
}

// The Llama 3 fixture exercises the frequency scaling: without it, the log-probs move by far more
// than the parity tolerance, so the parity test would catch a wrong scaling.
func TestRoPEScalingMatters(t *testing.T) {
	g := readGolden(t)
	fx := g["llama3-scaled-sharded"]
	dir := copyFixture(t, "llama3-scaled-sharded")
	editJSON(t, dir, policy.ConfigFile, func(m map[string]any) {
		m["rope_parameters"] = map[string]any{"rope_type": "default", "rope_theta": 500000.0}
	})
	p, err := policy.LoadPolicy(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.LogProbs([]policy.Sequence{{Prompt: fx.Tokens[0][:1], Completion: fx.Tokens[0][1:]}})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for j, want := range fx.LogProbs[0] {
		worst = max(worst, abs(float64(got[0][j])-want))
	}
	if worst < 1e-2 {
		t.Fatalf("unscaled RoPE is within %g of the scaled reference; the fixture does not test scaling", worst)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
