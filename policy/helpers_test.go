package policy

import (
	"math/rand/v2"
	"testing"
)

// TinyConfig is the "tiny" benchmark model (~421k parameters; BENCHMARKS.md).
func TinyConfig() Config {
	return Config{Vocab: 64, DModel: 128, NHeads: 4, NLayers: 2, MLPHidden: 512, Context: 64,
		Norm: "layernorm", Activation: "gelu", Positions: "learned", RoPETheta: 10000, NormEps: 1e-5, Bias: true}
}

// SmallConfig is the "small" benchmark model (~3.2M parameters; BENCHMARKS.md).
func SmallConfig() Config {
	return Config{Vocab: 64, DModel: 256, NHeads: 8, NLayers: 4, MLPHidden: 1024, Context: 128,
		Norm: "layernorm", Activation: "gelu", Positions: "learned", RoPETheta: 10000, NormEps: 1e-5, Bias: true}
}

// testConfigs are the variants every path must support.
func testConfigs() map[string]Config {
	tiny := TinyConfig()
	small := SmallConfig()
	modern := TinyConfig() // rope + rmsnorm + swiglu + GQA + tied embeddings + no linear biases (Llama-style)
	modern.Norm, modern.Activation, modern.Positions, modern.NKVHeads = "rmsnorm", "swiglu", "rope", 2
	modern.MLPHidden, modern.TieEmbeddings, modern.Bias = 192, true, false
	return map[string]Config{"tiny": tiny, "small": small, "modern": modern, "imported": importedConfig(TinyConfig())}
}

// importedConfig switches on what Hugging Face families need beyond grit's own blocks: q/k/v-only
// biases, per-head q/k RMSNorm, a head width that is not DModel/NHeads, and Llama 3 RoPE scaling whose
// wavelengths fall in all three bands (kept, smoothed, slowed).
func importedConfig(c Config) Config {
	c.Norm, c.Activation, c.Positions, c.NKVHeads, c.Bias = "rmsnorm", "swiglu", "rope", 2, false
	c.QKVBias, c.QKNorm, c.HeadDimension = true, true, 24
	c.RoPEScaling = &RoPEScaling{Type: RoPEScalingLlama3, Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositions: 64}
	return c
}

func newTestModel(t testing.TB, cfg Config, seed uint64) *GPT {
	t.Helper()
	m, err := NewGPT(cfg, DefaultCharTokenizer(), seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randomTokens returns n ids among the tokenizer's characters (no specials).
func randomTokens(rng *rand.Rand, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = charBase + rng.IntN(len(DefaultChars))
	}
	return out
}

func withBOS(ids []int) []int { return append([]int{charBOS}, ids...) }
