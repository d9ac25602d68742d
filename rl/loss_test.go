package rl

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPolicyLossHandTable(t *testing.T) {
	// row 0: A = 1, rho = 1 (l -1, d -1) and rho = 1.5 (clipped high: l -1.2, d 0)
	// row 1: A = -1, rho = 0.5 (clipped low: l 0.8, d 0)
	mb := MiniBatch{
		OldLogp:   [][]float32{{0, 0}, {0}},
		Advantage: []float64{1, -1},
	}
	logp := [][]float32{{0, float32(math.Log(1.5))}, {float32(math.Log(0.5))}}
	cases := []struct {
		lossType LossType
		wantL    float64
		wantD00  float64
	}{
		{"grpo", 0.5 * ((-1-1.2)/2 + 0.8), -1.0 / 4},
		{"bnpo", (-1 - 1.2 + 0.8) / 3, -1.0 / 3},
		{"dr_grpo", (-1 - 1.2 + 0.8) / (2 * 4), -1.0 / 8},
		{"dapo", (-1 - 1.2 + 0.8) / 10, -1.0 / 10},
		{"constant", (-1 - 1.2 + 0.8) / 1000, -1.0 / 1000},
	}
	for _, c := range cases {
		cfg := DefaultLossConfig()
		cfg.LossType, cfg.MaxCompletionLength, cfg.GenerationTokens = c.lossType, 4, 10
		res, err := PolicyLoss(cfg, mb, logp, nil)
		if err != nil {
			t.Fatal(err)
		}
		// float32(log 1.5) moves rho off 1.5 by ~1e-8; the clipped loss does not depend on it
		if !near(res.Loss, c.wantL, 1e-7) || !near(float64(res.DLogp[0][0]), c.wantD00, 1e-7) || res.DLogp[0][1] != 0 || res.DLogp[1][0] != 0 {
			t.Errorf("%s: loss %g d %v, want %g and [[%g 0] [0]]", c.lossType, res.Loss, res.DLogp, c.wantL, c.wantD00)
		}
		st := res.Stats
		if st.Tokens != 3 || !near(st.ClipHighFrac, 1.0/3, 1e-15) || !near(st.ClipLowFrac, 1.0/3, 1e-15) {
			t.Errorf("%s: stats %+v", c.lossType, st)
		}
	}
}

// randomBatch builds a mini-batch of B rows with ragged lengths (one of length 0), log-probs whose
// ratios spread across the clip ranges, and everything the loss variants need.
func randomBatch(rng *rand.Rand, B int) (MiniBatch, [][]float32, [][]float32) {
	var mb MiniBatch
	var logp, ent [][]float32
	for b := range B {
		T := 1 + rng.IntN(7)
		if b == 1 {
			T = 0
		}
		old, ref, lp, h, mask := make([]float32, T), make([]float32, T), make([]float32, T), make([]float32, T), make([]float32, T)
		for t := range T {
			old[t] = float32(-0.1 - 3*rng.Float64())
			ref[t] = float32(float64(old[t]) + 0.5*rng.NormFloat64())
			lp[t] = float32(float64(old[t]) + 0.6*rng.NormFloat64())
			h[t] = float32(2 * rng.Float64())
			mask[t] = 1
			if rng.IntN(6) == 0 {
				mask[t] = 0
			}
		}
		mb.OldLogp = append(mb.OldLogp, old)
		mb.RefLogp = append(mb.RefLogp, ref)
		mb.TokenMask = append(mb.TokenMask, mask)
		mb.Advantage = append(mb.Advantage, rng.NormFloat64())
		mb.AdvantageEff = append(mb.AdvantageEff, rng.NormFloat64())
		mb.EffQualifies = append(mb.EffQualifies, rng.IntN(2) == 0)
		mb.Correct = append(mb.Correct, rng.IntN(2) == 0)
		mb.GroupAccuracy = append(mb.GroupAccuracy, []float64{0, 0.25, 0.5, 0.75, 1}[rng.IntN(5)])
		mb.Weight = append(mb.Weight, []float64{1, 1, 0.5, 0}[rng.IntN(4)])
		logp = append(logp, lp)
		ent = append(ent, h)
	}
	return mb, logp, ent
}

// nearKink reports whether a token sits within 1e-2 (in log space) of a point where some loss is
// not differentiable, so that finite differences with a small step stay on one smooth piece.
func nearKink(cfg LossConfig, lp, old float64, rhat float64) bool {
	x := lp - old
	kinks := []float64{math.Log(1 - cfg.EpsLow), math.Log(1 + cfg.EpsHigh), nftMaxLogRatio}
	if cfg.DualClip > 0 {
		kinks = append(kinks, math.Log(cfg.DualClip))
	}
	if rhat > 0 {
		// NFT: v = eps at R = (1 - eps (1 - rhat)) / rhat
		if r := (1 - cfg.NFT.Eps*(1-rhat)) / rhat; r > 0 {
			kinks = append(kinks, math.Log(r))
		}
	}
	for _, k := range kinks {
		if math.Abs(x-k) < 1e-2 {
			return true
		}
	}
	return false
}

// TestPolicyLossFiniteDifferences checks every DLogp (and DEntropy) of PolicyLoss against central
// differences of its own loss value, for every loss kind, aggregation, and option.
func TestPolicyLossFiniteDifferences(t *testing.T) {
	type variant struct {
		name string
		edit func(*LossConfig)
	}
	variants := []variant{
		{"clip", func(c *LossConfig) {}},
		{"clip-higher dual kl entropy", func(c *LossConfig) { c.EpsHigh, c.DualClip, c.Beta, c.EntropyCoef = 0.28, 2, 0.04, 0.01 }},
		{"top-entropy", func(c *LossConfig) { c.TopEntropyFraction = 0.4 }},
		{"reinforce kl", func(c *LossConfig) { c.Kind, c.Beta = KindReinforce, 0.1 }},
		{"hdpo", func(c *LossConfig) { c.HDPO = true }},
		{"nft", func(c *LossConfig) { c.Kind = KindNFT }},
		{"nft sqrt small eps", func(c *LossConfig) { c.Kind, c.NFT.PromptWeight, c.NFT.Eps = KindNFT, PromptWeightSqrt, 1e-3 }},
		{"nft rft", func(c *LossConfig) { c.Kind, c.NFT.NegWeight = KindNFT, 0 }},
		{"nft neg -1 (clip)", func(c *LossConfig) { c.Kind, c.NFT.NegWeight = KindNFT, -1 }},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range variants {
		for _, lt := range LossTypes {
			cfg := DefaultLossConfig()
			v.edit(&cfg)
			cfg.LossType, cfg.MaxCompletionLength, cfg.GenerationTokens = lt, 8, 40
			mb, logp, ent := randomBatch(rng, 10)
			for b := range logp {
				rhat := 0.0
				if cfg.Kind == KindNFT {
					rhat = min(max(mb.GroupAccuracy[b], cfg.NFT.RhatMin), cfg.NFT.RhatMax)
				}
				for t := range logp[b] {
					// The clamped region of the NFT negative loss has a constant value and a kept
					// gradient that finite differences of the value cannot see (TestNFTNegativeNearPole
					// checks it); keep negatives where v > eps here.
					for cfg.Kind == KindNFT && cfg.NFT.NegWeight > 0 && !mb.Correct[b] &&
						math.Exp(float64(logp[b][t]-mb.OldLogp[b][t])) > 0.85*(1-cfg.NFT.Eps*(1-rhat))/rhat {
						logp[b][t] -= 0.1
					}
					for nearKink(cfg, float64(logp[b][t]), float64(mb.OldLogp[b][t]), rhat) {
						logp[b][t] += 0.05
					}
				}
			}
			res, err := PolicyLoss(cfg, mb, logp, ent)
			if err != nil {
				t.Fatalf("%s/%s: %v", v.name, lt, err)
			}
			checkFD(t, v.name+"/"+string(lt), cfg, mb, logp, ent, res)
		}
	}
}

func checkFD(t *testing.T, name string, cfg LossConfig, mb MiniBatch, logp, ent [][]float32, res LossResult) {
	t.Helper()
	loss := func() float64 {
		r, err := PolicyLoss(cfg, mb, logp, ent)
		if err != nil {
			t.Fatal(err)
		}
		return r.Loss
	}
	perturb := func(x *float32, want float32) {
		const h = 1e-3
		orig := *x
		*x = orig + h
		up, hu := loss(), float64(*x)
		*x = orig - h
		dn, hd := loss(), float64(*x)
		*x = orig
		got := (up - dn) / (hu - hd) // the exact float32 step
		if math.Abs(got-float64(want)) > 1e-5*(1+math.Abs(got)) {
			t.Errorf("%s: gradient %g, finite difference %g", name, want, got)
		}
	}
	nonzero := 0
	for b := range logp {
		for tt := range logp[b] {
			if res.DLogp[b][tt] != 0 {
				nonzero++
			}
			perturb(&logp[b][tt], res.DLogp[b][tt])
			if res.DEntropy != nil && cfg.TopEntropyFraction == 0 {
				perturb(&ent[b][tt], res.DEntropy[b][tt])
			}
		}
	}
	if nonzero == 0 && cfg.NFT.NegWeight != 0 {
		t.Errorf("%s: every gradient is zero; the check would be vacuous", name)
	}
}

// TestNFTEqualsGRPOOnPolicy is the equivalence docs/algorithms.md (NFT) states: at rho = 1, NFT's gradient with
// omega = sqrt((1-rhat)/rhat) is GRPO's with std-normalised advantages, and with omega = 1 - rhat it
// is Dr. GRPO's, up to the constant normaliser.
func TestNFTEqualsGRPOOnPolicy(t *testing.T) {
	const G, T = 8, 5
	correct := []bool{true, false, false, true, false, false, false, true} // r_q = 3/8
	rewards := make([]float64, G)
	for i, c := range correct {
		if c {
			rewards[i] = 1
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var mb MiniBatch
	var logp [][]float32
	for i := range G {
		row := make([]float32, T)
		for t := range row {
			row[t] = float32(-4 * rng.Float64())
		}
		mb.OldLogp = append(mb.OldLogp, row)
		logp = append(logp, row) // on-policy: rho = 1
		mb.Correct = append(mb.Correct, correct[i])
		mb.GroupAccuracy = append(mb.GroupAccuracy, 3.0/8)
	}
	for _, c := range []struct {
		omega     PromptWeight
		estimator Estimator
		// GRPO's std is Bessel-corrected (G-1), the NFT identity uses the population std (G):
		// A_grpo = sqrt((G-1)/G) * A_nft-equivalent.
		besselFactor float64
	}{
		{PromptWeightSqrt, EstimatorGRPO, math.Sqrt(float64(G-1) / G)},
		{PromptWeightOneMinusR, EstimatorDrGRPO, 1},
	} {
		adv, _, err := GroupAdvantages([][]float64{rewards}, nil, AdvantageConfig{Estimator: c.estimator, Scale: ScaleGroup, Eps: 0})
		if err != nil {
			t.Fatal(err)
		}
		mb.Advantage = adv[0]
		grpoCfg := DefaultLossConfig()
		grpoCfg.LossType = LossTypeConstant // same normaliser on both sides
		grpo, err := PolicyLoss(grpoCfg, mb, logp, nil)
		if err != nil {
			t.Fatal(err)
		}
		nftCfg := DefaultLossConfig()
		nftCfg.Kind, nftCfg.NFT.PromptWeight = KindNFT, c.omega
		nft, err := PolicyLoss(nftCfg, mb, logp, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range G {
			for tt := range T {
				want := float64(grpo.DLogp[i][tt]) / c.besselFactor
				if got := float64(nft.DLogp[i][tt]); math.Abs(got-want) > 1e-6*math.Abs(want) || want == 0 {
					t.Errorf("omega %s row %d token %d: NFT gradient %g, GRPO's %g", c.omega, i, tt, got, want)
				}
			}
		}
	}
}

func TestPolicyLossMasksAndErrors(t *testing.T) {
	mb := MiniBatch{OldLogp: [][]float32{{-1, -1}, {-1}}, Advantage: []float64{1, 1}, Weight: []float64{1, 0},
		TokenMask: [][]float32{{1, 0}, nil}}
	logp := [][]float32{{-1, -1}, {-1}}
	res, err := PolicyLoss(DefaultLossConfig(), mb, logp, nil)
	if err != nil {
		t.Fatal(err)
	}
	// grpo: B = 2 rows, row 0 has one loss token: d = -1 / (2 * 1)
	if res.Stats.Tokens != 1 || res.DLogp[0][0] != -0.5 || res.DLogp[0][1] != 0 || res.DLogp[1][0] != 0 {
		t.Errorf("masked gradients %v, tokens %d", res.DLogp, res.Stats.Tokens)
	}
	bad := []struct {
		name string
		cfg  func(*LossConfig)
		logp [][]float32
		ent  [][]float32
	}{
		{"logp rows", func(*LossConfig) {}, [][]float32{{-1, -1}}, nil},
		{"logp length", func(*LossConfig) {}, [][]float32{{-1}, {-1}}, nil},
		{"NaN logp", func(*LossConfig) {}, [][]float32{{float32(math.NaN()), -1}, {-1}}, nil},
		{"beta without ref", func(c *LossConfig) { c.Beta = 0.1 }, logp, nil},
		{"entropy missing", func(c *LossConfig) { c.EntropyCoef = 0.1 }, logp, nil},
		{"dapo without tokens", func(c *LossConfig) { c.LossType = LossTypeDAPO }, logp, nil},
		{"dr_grpo without length", func(c *LossConfig) { c.LossType = LossTypeDrGRPO }, logp, nil},
		{"unknown kind", func(c *LossConfig) { c.Kind = "dpo" }, logp, nil},
		{"unknown loss type", func(c *LossConfig) { c.LossType = "mean" }, logp, nil},
		{"dual clip <= 1", func(c *LossConfig) { c.DualClip = 0.5 }, logp, nil},
		{"hdpo without eff", func(c *LossConfig) { c.HDPO = true }, logp, nil},
		{"nft without accuracy", func(c *LossConfig) { c.Kind = KindNFT }, logp, nil},
	}
	for _, b := range bad {
		cfg := DefaultLossConfig()
		b.cfg(&cfg)
		if _, err := PolicyLoss(cfg, mb, b.logp, b.ent); err == nil {
			t.Errorf("%s: want an error", b.name)
		}
	}
	mb.OldLogp[1] = []float32{-1, -2}
	if _, err := PolicyLoss(DefaultLossConfig(), mb, [][]float32{{-1, -1}, {-1, -2}}, nil); err != nil {
		t.Errorf("two-token row: %v", err)
	}
	mb.TokenMask[0] = []float32{1}
	if _, err := PolicyLoss(DefaultLossConfig(), mb, [][]float32{{-1, -1}, {-1, -2}}, nil); err == nil {
		t.Error("mask shorter than its row: want an error")
	}
}
