package hf

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"grit/policy"
)

// golden is testdata/golden.json: per fixture folder, token sequences and log p(tokens[t] |
// tokens[:t]) for t >= 1 from testdata/make_golden.py's independent float64 PyTorch forward.
type golden map[string]struct {
	Tokens   [][]int     `json:"tokens"`
	LogProbs [][]float64 `json:"logprobs"`
}

func readGolden(t *testing.T) golden {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g) != 5 {
		t.Fatalf("golden.json has %d fixtures, want 5", len(g))
	}
	return g
}

func fixtureNames(g golden) []string {
	names := make([]string, 0, len(g))
	for name := range g {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Every fixture folder loads through policy.LoadPolicy and scores the golden sequences within 1e-4
// per token, both on the training tape (LogProbs) and in the KV-cache sampler (the sampler's
// recorded log-probs of a greedy continuation agree with LogProbs on the same tokens).
func TestLogProbsMatchPyTorchReference(t *testing.T) {
	g := readGolden(t)
	for _, name := range fixtureNames(g) {
		t.Run(name, func(t *testing.T) {
			p, err := policy.LoadPolicy(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := p.(*Model); !ok {
				t.Fatalf("loaded as %T, want *hf.Model", p)
			}
			fx := g[name]
			seqs := make([]policy.Sequence, len(fx.Tokens))
			for i, ids := range fx.Tokens {
				seqs[i] = policy.Sequence{Prompt: ids[:1], Completion: ids[1:]}
			}
			got, err := p.LogProbs(seqs)
			if err != nil {
				t.Fatal(err)
			}
			worst, n := 0.0, 0
			for i := range fx.LogProbs {
				if len(got[i]) != len(fx.LogProbs[i]) {
					t.Fatalf("sequence %d: %d log-probs, golden has %d", i, len(got[i]), len(fx.LogProbs[i]))
				}
				for j, want := range fx.LogProbs[i] {
					worst = math.Max(worst, math.Abs(float64(got[i][j])-want))
					n++
				}
			}
			t.Logf("max |grit - reference| = %.3g over %d tokens", worst, n)
			if worst > 1e-4 {
				t.Fatalf("log-probs differ from the PyTorch reference by %g > 1e-4", worst)
			}
			prompts := [][]int{fx.Tokens[0][:20], fx.Tokens[1][:5]}
			gens, err := p.Sample(prompts, []uint64{1, 2}, policy.SampleOptions{MaxNewTokens: 30, Temperature: 1})
			if err != nil {
				t.Fatal(err)
			}
			for i, gen := range gens {
				lp, err := p.LogProbs([]policy.Sequence{{Prompt: prompts[i], Completion: gen.Tokens}})
				if err != nil {
					t.Fatal(err)
				}
				for j := range gen.LogProbs {
					if d := math.Abs(float64(gen.LogProbs[j] - lp[0][j])); d > 1e-5 {
						t.Fatalf("sample %d token %d: sampler %g, trainer %g", i, j, gen.LogProbs[j], lp[0][j])
					}
				}
			}
		})
	}
}
