package policy

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The log-probs the sampler records (KV cache, no tape) must equal what the training forward computes
// for the same tokens, for prompts of different lengths in one batch.
func TestSamplerMatchesTrainingLogProbs(t *testing.T) {
	for name, cfg := range testConfigs() {
		t.Run(name, func(t *testing.T) {
			m := newTestModel(t, cfg, 7)
			rng := rand.New(rand.NewPCG(1, 2))
			promptLens := []int{1, 5, 12, 3}
			prompts := make([][]int, len(promptLens))
			seeds := make([]uint64, len(promptLens))
			for i, n := range promptLens {
				prompts[i] = withBOS(randomTokens(rng, n-1))
				seeds[i] = uint64(100 + i)
			}
			gens, err := m.Sample(prompts, seeds, SampleOptions{MaxNewTokens: 20, Temperature: 1})
			if err != nil {
				t.Fatal(err)
			}
			seqs := make([]Sequence, len(gens))
			for i, g := range gens {
				if len(g.Tokens) == 0 {
					t.Fatalf("sequence %d generated nothing", i)
				}
				seqs[i] = Sequence{Prompt: prompts[i], Completion: g.Tokens}
			}
			lps, err := m.LogProbs(seqs)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i, g := range gens {
				for j, lp := range g.LogProbs {
					worst = math.Max(worst, math.Abs(float64(lp-lps[i][j])))
				}
			}
			t.Logf("max |sampler - trainer| = %.3g over %d sequences", worst, len(gens))
			if worst > 1e-5 {
				t.Fatalf("sampler and trainer log-probs differ by %g > 1e-5", worst)
			}
		})
	}
}
