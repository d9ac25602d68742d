package policy

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A sequence's sample depends only on its prompt and seed: alone, in a batch, or in a different
// position of a batch it is the same, token for token and bit for bit.
func TestSamplesIndependentOfBatchComposition(t *testing.T) {
	m := newTestModel(t, testConfigs()["modern"], 5)
	rng := rand.New(rand.NewPCG(8, 8))
	var prompts [][]int
	var seeds []uint64
	for i := 0; i < 6; i++ {
		prompts = append(prompts, withBOS(randomTokens(rng, 1+rng.IntN(9))))
		seeds = append(seeds, uint64(1000+i))
	}
	opts := SampleOptions{MaxNewTokens: 20, Temperature: 0.9, TopK: 20}
	all, err := m.Sample(prompts, seeds, opts)
	if err != nil {
		t.Fatal(err)
	}
	// A training pass in between leaves its activations in the arena that the sampler's KV cache and
	// packed weights borrow next: stale memory must not leak into samples.
	var seqs []Sequence
	for i, g := range all {
		seqs = append(seqs, Sequence{Prompt: prompts[i], Completion: g.Tokens})
	}
	if _, err := m.LogProbs(seqs); err != nil {
		t.Fatal(err)
	}
	rev := func(x [][]int) [][]int { y := slices.Clone(x); slices.Reverse(y); return y }
	revSeeds := slices.Clone(seeds)
	slices.Reverse(revSeeds)
	reversed, err := m.Sample(rev(prompts), revSeeds, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range prompts {
		alone, err := m.Sample(prompts[i:i+1], seeds[i:i+1], opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, other := range []Generation{alone[0], reversed[len(prompts)-1-i]} {
			if !slices.Equal(other.Tokens, all[i].Tokens) || !slices.Equal(other.LogProbs, all[i].LogProbs) {
				t.Fatalf("sequence %d: sample changed with batch composition:\n%v\n%v", i, all[i].Tokens, other.Tokens)
			}
		}
	}
	if slices.Equal(all[0].Tokens, all[1].Tokens) {
		t.Fatal("two different seeds and prompts gave the same sample; the RNG is not per sequence")
	}
}

func TestSampleStopsAndTruncates(t *testing.T) {
	cfg := TinyConfig()
	cfg.Context = 12
	m := newTestModel(t, cfg, 2)
	tok := m.Tokenizer()
	// Make EOS overwhelmingly likely by raising its output-embedding row along every direction the
	// final norm can produce: bias of the final LayerNorm is aligned with the EOS row.
	head := m.head.Value.Data
	d := cfg.DModel
	for j := 0; j < d; j++ {
		head[tok.EOS()*d+j] = 1
		m.lnfB.Value.Data[j] = 5
	}
	gens, err := m.Sample([][]int{{charBOS}}, []uint64{1}, SampleOptions{MaxNewTokens: 5, Temperature: 1})
	if err != nil {
		t.Fatal(err)
	}
	if g := gens[0]; !g.Finished || !slices.Equal(g.Tokens, []int{tok.EOS()}) || g.Text != "" {
		t.Fatalf("want immediate EOS, got %+v", g)
	}
	// Without the EOS bias: truncation at MaxNewTokens and at the context limit.
	m2 := newTestModel(t, cfg, 2)
	gens, err = m2.Sample([][]int{{charBOS}, withBOS(randomTokens(rand.New(rand.NewPCG(1, 1)), 9))},
		[]uint64{3, 4}, SampleOptions{MaxNewTokens: 4, Temperature: 0})
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range gens {
		if g.Finished && g.Tokens[len(g.Tokens)-1] == tok.EOS() {
			continue // a random model may emit EOS; then truncation is not tested on this one
		}
		wantLen := 4
		if i == 1 {
			wantLen = cfg.Context + 1 - 10 // prompt of 10 tokens, at most Context+1 in total
		}
		if g.Finished || len(g.Tokens) != wantLen || len(g.LogProbs) != wantLen {
			t.Fatalf("sequence %d: want %d tokens truncated, got %d finished=%v", i, wantLen, len(g.Tokens), g.Finished)
		}
	}
}

func TestStopStrings(t *testing.T) {
	m := newTestModel(t, TinyConfig(), 4)
	opts := SampleOptions{MaxNewTokens: 40, Temperature: 1.5}
	free, err := m.Sample([][]int{{charBOS}}, []uint64{9}, opts)
	if err != nil {
		t.Fatal(err)
	}
	text := free[0].Text
	if len(text) < 6 {
		t.Skipf("free sample too short to pick a stop string: %q", text)
	}
	stop := text[3:5]
	opts.StopStrings = []string{"never-occurs", stop}
	stopped, err := m.Sample([][]int{{charBOS}}, []uint64{9}, opts)
	if err != nil {
		t.Fatal(err)
	}
	g := stopped[0]
	want := text[:strings.Index(text, stop)+len(stop)]
	if !g.Finished || g.Text != want {
		t.Fatalf("stop string %q: got %q finished=%v, want %q", stop, g.Text, g.Finished, want)
	}
}

func TestGreedyPicksArgmaxAndRejectsBadInput(t *testing.T) {
	m := newTestModel(t, TinyConfig(), 6)
	prompt := withBOS(m.tok.Encode("3+4="))
	gens, err := m.Sample([][]int{prompt}, []uint64{0}, SampleOptions{MaxNewTokens: 6})
	if err != nil {
		t.Fatal(err)
	}
	// Each greedy token must be the argmax of the training forward's distribution.
	for i, tok := range gens[0].Tokens {
		prefix := append(slices.Clone(prompt), gens[0].Tokens[:i]...)
		best, bestLP := -1, float32(-1e30)
		for v := 0; v < m.cfg.Vocab; v++ {
			lp, err := m.LogProbs([]Sequence{{Prompt: prefix, Completion: []int{v}}})
			if err != nil {
				t.Fatal(err)
			}
			if lp[0][0] > bestLP {
				best, bestLP = v, lp[0][0]
			}
		}
		if tok != best {
			t.Fatalf("greedy token %d is %d, training forward's argmax is %d", i, tok, best)
		}
	}
	bad := []struct {
		name    string
		prompts [][]int
		seeds   []uint64
		opts    SampleOptions
	}{
		{"seed count", [][]int{prompt}, nil, SampleOptions{MaxNewTokens: 1}},
		{"empty prompt", [][]int{{}}, []uint64{1}, SampleOptions{MaxNewTokens: 1}},
		{"id out of range", [][]int{{charBOS, 64}}, []uint64{1}, SampleOptions{MaxNewTokens: 1}},
		{"negative id", [][]int{{-1}}, []uint64{1}, SampleOptions{MaxNewTokens: 1}},
		{"prompt too long", [][]int{make([]int, 65)}, []uint64{1}, SampleOptions{MaxNewTokens: 1}},
		{"top-p", [][]int{prompt}, []uint64{1}, SampleOptions{MaxNewTokens: 1, TopP: 1.5}},
		{"temperature", [][]int{prompt}, []uint64{1}, SampleOptions{MaxNewTokens: 1, Temperature: -1}},
	}
	for _, c := range bad {
		if _, err := m.Sample(c.prompts, c.seeds, c.opts); err == nil {
			t.Errorf("%s: want an error", c.name)
		}
	}
}

func TestForwardRejectsBadSequences(t *testing.T) {
	m := newTestModel(t, TinyConfig(), 6)
	long := make([]int, 66) // Context+2 tokens
	for _, seqs := range [][]Sequence{
		{{Prompt: nil, Completion: []int{5}}},
		{{Prompt: []int{charBOS}, Completion: []int{64}}},
		{{Prompt: []int{-3}, Completion: []int{5}}},
		{{Prompt: long[:1], Completion: long[1:]}},
	} {
		if _, err := m.Forward(seqs); err == nil {
			t.Errorf("Forward(%v...): want an error", seqs[0].Prompt[:min(len(seqs[0].Prompt), 3)])
		}
	}
	ok := []Sequence{{Prompt: long[:1], Completion: long[1:65]}} // exactly Context+1 tokens
	if _, err := m.Forward(ok); err != nil {
		t.Fatalf("a Context+1-token sequence must be accepted: %v", err)
	}
	pass, _ := m.Forward([]Sequence{{Prompt: []int{1, 5}, Completion: []int{6, 7}}})
	if err := pass.Backward([][]float32{{1}}, nil); err == nil {
		t.Fatal("Backward with a wrongly shaped gradient must fail")
	}
}
