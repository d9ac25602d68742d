package policy

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Pass.Backward against central finite differences of
//
//	L(θ) = Σ_b Σ_t dLogProbs[b][t]·logp[b][t](θ) + dEntropy[b][t]·H[b][t](θ)
//
// on a small float32 model (so the tolerance is loose), for parameters of every kind.
func TestPassBackwardMatchesFiniteDifferences(t *testing.T) {
	for _, name := range []string{"gpt2", "modern", "imported"} {
		t.Run(name, func(t *testing.T) {
			cfg := Config{Vocab: 64, DModel: 16, NHeads: 2, NLayers: 2, MLPHidden: 32, Context: 16,
				Norm: "layernorm", Activation: "gelu", Positions: "learned", RoPETheta: 10000, NormEps: 1e-5, Bias: true}
			if name == "modern" { // Llama-style: no linear biases
				cfg.Bias = false
				cfg.NHeads, cfg.NKVHeads, cfg.Norm, cfg.Activation, cfg.Positions, cfg.TieEmbeddings = 4, 2, "rmsnorm", "swiglu", "rope", true
			}
			if name == "imported" { // Qwen3-style q/k norm, q/k/v biases, head width 6 != 16/4, Llama 3 RoPE scaling
				cfg = importedConfig(cfg)
				cfg.NHeads, cfg.HeadDimension = 4, 6
				cfg.RoPEScaling.OriginalMaxPositions = 8
			}
			m := newTestModel(t, cfg, 11)
			for _, p := range m.Params() { // larger weights than GPT-2 init so every path matters
				for i := range p.Value.Data {
					p.Value.Data[i] *= 3
				}
			}
			rng := rand.New(rand.NewPCG(4, 4))
			seqs := []Sequence{
				{Prompt: withBOS(randomTokens(rng, 3)), Completion: randomTokens(rng, 5)},
				{Prompt: withBOS(randomTokens(rng, 6)), Completion: randomTokens(rng, 2)},
			}
			dlp := [][]float32{make([]float32, 5), make([]float32, 2)}
			dent := [][]float32{make([]float32, 5), make([]float32, 2)}
			for b := range dlp {
				for i := range dlp[b] {
					dlp[b][i], dent[b][i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
				}
			}
			objective := func() float64 {
				pass, err := m.Forward(seqs)
				if err != nil {
					t.Fatal(err)
				}
				var s float64
				for b := range dlp {
					for i := range dlp[b] {
						s += float64(dlp[b][i])*float64(pass.LogProbs[b][i]) + float64(dent[b][i])*float64(pass.Entropy[b][i])
					}
				}
				return s
			}
			m.ZeroGrad()
			pass, err := m.Forward(seqs)
			if err != nil {
				t.Fatal(err)
			}
			if err := pass.Backward(dlp, dent); err != nil {
				t.Fatal(err)
			}
			if err := pass.Backward(dlp, dent); err == nil {
				t.Fatal("a second Backward on the same pass must fail")
			}
			checked := 0
			for _, p := range m.Params() {
				// the two entries with the largest analytic gradient, where float32 noise matters least
				idx := largestAbs(p.Grad.Data, 2)
				for _, i := range idx {
					ana := float64(p.Grad.Data[i])
					if math.Abs(ana) < 1e-3 {
						continue
					}
					orig := p.Value.Data[i]
					h := float32(2e-3)
					p.Value.Data[i] = orig + h
					up := objective()
					p.Value.Data[i] = orig - h
					down := objective()
					p.Value.Data[i] = orig
					num := (up - down) / (2 * float64(h))
					if math.Abs(num-ana) > 0.05*math.Max(math.Abs(num), math.Abs(ana))+2e-3 {
						t.Errorf("%s[%d]: backward %.5g, finite difference %.5g", p.Name, i, ana, num)
					}
					checked++
				}
			}
			if checked < len(m.Params()) {
				t.Fatalf("only %d entries had a gradient worth checking", checked)
			}
		})
	}
}

func largestAbs(x []float32, k int) []int {
	var idx []int
	for n := 0; n < k; n++ {
		best := -1
		for i, v := range x {
			taken := false
			for _, j := range idx {
				taken = taken || j == i
			}
			if !taken && (best < 0 || math.Abs(float64(v)) > math.Abs(float64(x[best]))) {
				best = i
			}
		}
		if best >= 0 {
			idx = append(idx, best)
		}
	}
	return idx
}
