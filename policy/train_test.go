package policy

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"grit/tensor"
)

// fixedBatch is a deterministic SFT batch: BOS + random characters, predicted after the first token.
func fixedBatch(seed uint64, n, length int) []Sequence {
	rng := rand.New(rand.NewPCG(seed, 3))
	seqs := make([]Sequence, n)
	for i := range seqs {
		toks := randomTokens(rng, length)
		seqs[i] = Sequence{Prompt: []int{charBOS, toks[0]}, Completion: toks[1:]}
	}
	return seqs
}

// trainSteps runs steps of AdamW on the mean cross-entropy and returns the losses.
func trainSteps(t *testing.T, m *GPT, seqs []Sequence, steps int, lr float32) []float32 {
	t.Helper()
	opt := tensor.NewAdamW(0.9, 0.95, 1e-8, 0)
	losses := make([]float32, steps)
	for s := range losses {
		m.ZeroGrad()
		loss, backward, err := CrossEntropy(m, seqs)
		if err != nil {
			t.Fatal(err)
		}
		if err := backward(); err != nil {
			t.Fatal(err)
		}
		opt.Step(m.Params(), lr)
		losses[s] = loss
	}
	return losses
}

// A tiny model memorises a fixed batch: the loss starts near log(64) ≈ 4.16 and must fall below 0.5.
func TestTinyModelOverfitsFixedBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	cfg := TinyConfig()
	cfg.NLayers, cfg.Context = 2, 32
	m := newTestModel(t, cfg, 1)
	seqs := fixedBatch(5, 4, 24)
	losses := trainSteps(t, m, seqs, 60, 3e-3)
	t.Logf("loss %.3f -> %.3f", losses[0], losses[len(losses)-1])
	if losses[0] < 3.5 {
		t.Fatalf("initial loss %.3f is far below log(vocab): the init or loss is wrong", losses[0])
	}
	if last := losses[len(losses)-1]; last > 0.5 {
		t.Fatalf("loss only fell to %.3f after 60 steps; want < 0.5", last)
	}
}

// Training and sampling give bit-identical results with 1 or 2 goroutines.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	run := func(procs int) ([]float32, []Generation) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		cfg := testConfigs()["modern"]
		m := newTestModel(t, cfg, 3)
		trainSteps(t, m, fixedBatch(9, 6, 30), 3, 1e-3)
		var flat []float32
		for _, p := range m.Params() {
			flat = append(flat, p.Value.Data...)
		}
		prompts := [][]int{{charBOS}, withBOS(m.tok.Encode("12+7=")), withBOS(m.tok.Encode("abc"))}
		gens, err := m.Sample(prompts, []uint64{1, 2, 3}, SampleOptions{MaxNewTokens: 24, Temperature: 1, TopP: 0.95})
		if err != nil {
			t.Fatal(err)
		}
		return flat, gens
	}
	p1, g1 := run(1)
	p2, g2 := run(2)
	if !slices.Equal(p1, p2) {
		t.Fatal("parameters after training differ between GOMAXPROCS=1 and 2")
	}
	for i := range g1 {
		if !slices.Equal(g1[i].Tokens, g2[i].Tokens) || !slices.Equal(g1[i].LogProbs, g2[i].LogProbs) {
			t.Fatalf("sample %d differs between GOMAXPROCS=1 and 2", i)
		}
	}
}
