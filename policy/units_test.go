package policy

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCharTokenizer(t *testing.T) {
	tok := DefaultCharTokenizer()
	if tok.VocabSize() > 64 {
		t.Fatalf("default vocab %d does not fit a 64-token model", tok.VocabSize())
	}
	text := "what is 12*(3+4)? #### 84\nok: a<b, c>d. x/y=z -1"
	ids := tok.Encode(text)
	if len(ids) != len([]rune(text)) {
		t.Fatalf("one id per character expected: %d ids for %d chars", len(ids), len(text))
	}
	for _, id := range ids {
		if id == tok.UNK() {
			t.Fatalf("character of %q mapped to UNK", text)
		}
	}
	if got := tok.Decode(ids); got != text {
		t.Fatalf("round trip: %q", got)
	}
	if got := tok.Encode("A"); len(got) != 1 || got[0] != tok.UNK() {
		t.Fatalf("uppercase must be UNK, got %v", got)
	}
	if got := tok.Decode([]int{tok.BOS(), ids[0], tok.EOS(), tok.PAD()}); got != "w" {
		t.Fatalf("specials must decode to nothing, got %q", got)
	}
	if _, err := NewCharTokenizer("aa"); err == nil {
		t.Fatal("duplicate characters must be rejected")
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	data, _ := tok.MarshalJSON()
	writeFileAtomic(path, func(f *os.File) error { _, err := f.Write(data); return err })
	back, err := LoadTokenizer(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Decode(back.Encode(text)) != text || back.VocabSize() != tok.VocabSize() {
		t.Fatal("tokenizer changed through JSON")
	}
}

func TestConfigValidateAndParamCount(t *testing.T) {
	m := newTestModel(t, TinyConfig(), 1)
	// hand count: embeddings 2*64*128, per block 2 LayerNorms (4*128) + qkv (384*128+384) +
	// proj (128*128+128) + fc (512*128+512) + proj (128*512+128), final norm 256, head 64*128.
	want := 2*64*128 + 2*(4*128+384*128+384+128*128+128+512*128+512+128*512+128) + 256 + 64*128
	if m.NumParams() != want {
		t.Fatalf("tiny model has %d parameters, hand count %d", m.NumParams(), want)
	}
	bad := map[string]func(*Config){
		"DModel":     func(c *Config) { c.DModel = 130 },
		"NKVHeads":   func(c *Config) { c.NKVHeads = 3 },
		"Norm":       func(c *Config) { c.Norm = "batchnorm" },
		"Activation": func(c *Config) { c.Activation = "relu" },
		"Positions":  func(c *Config) { c.Positions = "alibi" },
		"Context":    func(c *Config) { c.Context = 0 },
		"NormEps":    func(c *Config) { c.NormEps = 0 },
		"RoPETheta":  func(c *Config) { c.Positions, c.RoPETheta = "rope", 0 },
	}
	for field, mutate := range bad {
		c := TinyConfig()
		mutate(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %v does not name the field", field, err)
		}
	}
	if err := SmallConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := NewGPT(Config{Vocab: 10, DModel: 8, NHeads: 2, NLayers: 1, MLPHidden: 8, Context: 4,
		Norm: "layernorm", Activation: "gelu", Positions: "learned", NormEps: 1e-5}, DefaultCharTokenizer(), 1); err == nil {
		t.Fatal("a vocabulary smaller than the tokenizer's must be rejected")
	}
}

// chooseToken against hand-computed distributions.
func TestChooseToken(t *testing.T) {
	// probabilities 0.5, 0.3, 0.2 at temperature 1
	logits := []float32{float32(math.Log(0.5)), float32(math.Log(0.3)), float32(math.Log(0.2))}
	var s samplingScratch
	cases := []struct {
		name  string
		temp  float32
		topK  int
		topP  float32
		u     float64
		token int
	}{
		{"greedy", 0, 0, 0, 0.99, 0},
		{"cdf first", 1, 0, 0, 0.49, 0},
		{"cdf second", 1, 0, 0, 0.51, 1},
		{"cdf third", 1, 0, 0, 0.81, 2},
		{"top-k 2 renormalised: 0.5/0.8=0.625", 1, 2, 0, 0.62, 0},
		{"top-k 2 second", 1, 2, 0, 0.63, 1},
		{"top-k 1", 1, 1, 0, 0.99, 0},
		{"top-p 0.7 keeps two", 1, 0, 0.7, 0.99, 1},
		{"top-p 0.5 keeps one", 1, 0, 0.5, 0.99, 0},
		// temperature 0.5 squares the odds: 0.25, 0.09, 0.04 over 0.38
		{"temperature", 0.5, 0, 0, 0.25/0.38 - 0.01, 0},
		{"temperature second", 0.5, 0, 0, 0.25/0.38 + 0.01, 1},
	}
	for _, c := range cases {
		if got := chooseToken(logits, c.temp, c.topK, c.topP, c.u, &s); got != c.token {
			t.Errorf("%s: got token %d, want %d", c.name, got, c.token)
		}
	}
	if lp := logSoftmaxAt(logits, 1); math.Abs(float64(lp)-math.Log(0.3)) > 1e-6 {
		t.Fatalf("log-prob %v, want log 0.3", lp)
	}
}
