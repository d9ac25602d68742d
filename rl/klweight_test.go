package rl

import (
	"math"
	"strings"
	"testing"
)

// TestKLWeightScalesOnlyTheKLTerm checks a hand-computed two-row batch: KLWeight multiplies the
// row's KL term and leaves its policy and entropy terms alone.
//
// Both rows: one token, logp = old = 0, ref = log 0.5, so k3 = e^d - d - 1 = ln 2 - 0.5 and
// dk3/dlogp = 1 - e^d = 0.5 (d = ref - logp). dapo with GenerationTokens 2: norm 1/2 per token.
// Row 0: A = 1, H = 2, KLWeight 1. Row 1: A = 0, H = 3, KLWeight 10. Beta 0.01, EntropyCoef 0.1.
//
//	policy   reinforce l = -A logp = 0, dl = -A           -> 0
//	KL       0.01 * 1/2 * (1 + 10) * k3                    -> 0.055 k3
//	entropy  -0.1 * 1/2 * (2 + 3)                          -> -0.25 (not -0.1*1/2*(2 + 10*3))
//	dL/dlogp row 0: -1/2 + 0.01 * 1/2 * 0.5 = -0.4975; row 1: 0.01 * 10 * 1/2 * 0.5 = 0.025
//	dL/dH    both rows: -0.1 * 1/2 = -0.05
func TestKLWeightScalesOnlyTheKLTerm(t *testing.T) {
	ref := float32(math.Log(0.5))
	mb := MiniBatch{
		OldLogp:   [][]float32{{0}, {0}},
		RefLogp:   [][]float32{{ref}, {ref}},
		Advantage: []float64{1, 0},
		KLWeight:  []float64{1, 10},
	}
	cfg := DefaultLossConfig()
	cfg.Kind, cfg.LossType, cfg.GenerationTokens = KindReinforce, LossTypeDAPO, 2
	cfg.Beta, cfg.EntropyCoef = 0.01, 0.1
	logp, ent := [][]float32{{0}, {0}}, [][]float32{{2}, {3}}
	res, err := PolicyLoss(cfg, mb, logp, ent)
	if err != nil {
		t.Fatal(err)
	}
	k3 := float64(math.Exp(float64(ref))) - float64(ref) - 1
	st := res.Stats
	if !near(st.KLLoss, 0.055*k3, 1e-12) || !near(st.EntropyLoss, -0.25, 1e-12) || st.PolicyLoss != 0 {
		t.Errorf("terms: policy %g KL %g entropy %g; want 0, %g, -0.25", st.PolicyLoss, st.KLLoss, st.EntropyLoss, 0.055*k3)
	}
	if !near(float64(res.DLogp[0][0]), -0.4975, 1e-7) || !near(float64(res.DLogp[1][0]), 0.025, 1e-7) {
		t.Errorf("dL/dlogp %v; want [[-0.4975] [0.025]]", res.DLogp)
	}
	if !near(float64(res.DEntropy[0][0]), -0.05, 1e-7) || !near(float64(res.DEntropy[1][0]), -0.05, 1e-7) {
		t.Errorf("dL/dH %v; want -0.05 on both rows", res.DEntropy)
	}

	// nil KLWeight is weight 1 on every row: only row 1's KL changes, by a factor 1/10.
	mb.KLWeight = nil
	res1, err := PolicyLoss(cfg, mb, logp, ent)
	if err != nil {
		t.Fatal(err)
	}
	if !near(res1.Stats.KLLoss, 0.01*k3, 1e-12) || res1.Stats.EntropyLoss != st.EntropyLoss || res1.DLogp[0][0] != res.DLogp[0][0] {
		t.Errorf("without KLWeight: KL %g (want %g), entropy %g, dlogp row 0 %g", res1.Stats.KLLoss, 0.01*k3, res1.Stats.EntropyLoss, res1.DLogp[0][0])
	}
}

func TestKLWeightMustBeFiniteAndNonNegative(t *testing.T) {
	for _, w := range []float64{-1, math.Inf(1), math.NaN()} {
		mb := MiniBatch{OldLogp: [][]float32{{0}}, RefLogp: [][]float32{{0}}, Advantage: []float64{1}, KLWeight: []float64{w}}
		cfg := DefaultLossConfig()
		cfg.Beta = 0.1
		_, err := PolicyLoss(cfg, mb, [][]float32{{0}}, nil)
		if err == nil || !strings.Contains(err.Error(), "KL weight") {
			t.Errorf("KL weight %g: error %v, want one naming the KL weight", w, err)
		}
	}
}
