package rl

import "math"

// LossStats are diagnostics of one PolicyLoss call. Fractions and means are over loss tokens.
type LossStats struct {
	Tokens       int     // tokens that entered the loss (mask 1, row weight non-zero)
	ClipLowFrac  float64 // A < 0 tokens with rho < 1 - eps_low
	ClipHighFrac float64 // A > 0 tokens with rho > 1 + eps_high
	DualClipFrac float64 // A < 0 tokens with rho > c
	MeanRatio    float64 // mean rho = exp(logp - logp_old)
	MeanKL       float64 // mean k3 KL (0 when Beta is 0)
	MeanEntropy  float64 // mean entropy (0 when no entropy was given)
	PolicyLoss   float64 // aggregated policy term (times WAcc)
	EffLoss      float64 // HDPO efficiency term (times WEff)
	KLLoss       float64 // Beta * agg(k3)
	EntropyLoss  float64 // -EntropyCoef * agg(H)
}

// LossResult is a scalar loss and its gradient per token, aggregation already applied.
type LossResult struct {
	Loss     float64     // PolicyLoss + EffLoss + KLLoss + EntropyLoss
	DLogp    [][]float32 // [B][T_b] dLoss/dlogp; 0 on masked tokens
	DEntropy [][]float32 // [B][T_b] dLoss/dH; nil unless EntropyCoef != 0
	Stats    LossStats
}

// PolicyLoss computes the mini-batch loss and its per-token gradients. With m the effective token
// mask (TokenMask, row weight 0 and the top-entropy mask folded in), w_b the row weight and
// agg the aggregation of cfg.LossType (see the LossType constants):
//
//	L = WAcc * agg(w m l_pg) + WEff * sum_{b in Q} w m l_eff / sum_{b in Q} m
//	    + Beta * agg(w kl m k3) - EntropyCoef * agg(w m H)
//
// kl_b is the row's KLWeight (1 when nil): it scales only the KL term (SCoRe's strong KL on the
// first attempt in Stage I), never the policy or entropy terms.
// l_pg is ClipToken(A) for kind clip, ReinforceToken(A) for reinforce, and for nft
// omega(rhat) * (c NFTPositiveToken + (1 - c) NegWeight NFTNegativeToken) with rhat the clamped
// GroupAccuracy and c the correctness (NegWeight < 0 falls back to ClipToken(A), as the reference).
// l_eff (HDPO only) is the same surrogate with AdvantageEff, a token mean over rows with EffQualifies.
// logp (and entropy, when EntropyCoef != 0 or TopEntropyFraction > 0) must be shaped like OldLogp.
func PolicyLoss(cfg LossConfig, mb MiniBatch, logp, entropy [][]float32) (LossResult, error) {
	var res LossResult
	cfg, err := cfg.resolved()
	if err != nil {
		return res, err
	}
	if err := mb.check(); err != nil {
		return res, err
	}
	if err := checkPolicyInputs(&cfg, &mb, logp, entropy); err != nil {
		return res, err
	}
	mask := effectiveMask(&mb)
	if cfg.TopEntropyFraction > 0 {
		mask = topEntropyMask(entropy, mask, cfg.TopEntropyFraction)
	}
	norm, err := rowNormalisers(&cfg, mask)
	if err != nil {
		return res, err
	}
	effNorm := 0.0
	if cfg.HDPO {
		for b := range mask {
			if mb.EffQualifies[b] {
				for _, m := range mask[b] {
					effNorm += m
				}
			}
		}
	}

	B := mb.Len()
	res.DLogp = make([][]float32, B)
	if cfg.EntropyCoef != 0 {
		res.DEntropy = make([][]float32, B)
	}
	st := &res.Stats
	var ratioSum, klSum, entSum float64
	var nLow, nHigh, nDual int
	for b := range B {
		T := len(mb.OldLogp[b])
		g := make([]float32, T)
		res.DLogp[b] = g
		var gH []float32
		if res.DEntropy != nil {
			gH = make([]float32, T)
			res.DEntropy[b] = gH
		}
		w := rowWeight(&mb, b)
		tok, err := newTokenLoss(&cfg, &mb, b)
		if err != nil {
			return LossResult{}, err
		}
		eff := cfg.HDPO && mb.EffQualifies[b] && effNorm > 0
		for t := range T {
			m := mask[b][t]
			if m == 0 {
				continue
			}
			st.Tokens++
			lp, old := float64(logp[b][t]), float64(mb.OldLogp[b][t])
			coef := w * m * norm[b]
			ratioSum += math.Exp(lp - old)

			l, dl, state := tok.pg(lp, old)
			switch state {
			case ClippedLow:
				nLow++
			case ClippedHigh:
				nHigh++
			case DualClipped:
				nDual++
			}
			st.PolicyLoss += cfg.WAcc * coef * l
			d := cfg.WAcc * coef * dl

			if eff {
				ce := cfg.WEff * w * m / effNorm
				le, dle, _ := tok.surrogate(lp, old, mb.AdvantageEff[b])
				st.EffLoss += ce * le
				d += ce * dle
			}
			if cfg.Beta != 0 {
				k, dk := K3Token(lp, float64(mb.RefLogp[b][t]))
				klSum += k
				kc := klCoef(&mb, b, w, m, norm[b])
				st.KLLoss += cfg.Beta * kc * k
				d += cfg.Beta * kc * dk
			}
			if entropy != nil {
				h := float64(entropy[b][t])
				entSum += h
				if cfg.EntropyCoef != 0 {
					st.EntropyLoss -= cfg.EntropyCoef * coef * h
					gH[t] = float32(-cfg.EntropyCoef * coef)
				}
			}
			g[t] = float32(d)
		}
	}
	res.Loss = st.PolicyLoss + st.EffLoss + st.KLLoss + st.EntropyLoss
	if n := float64(st.Tokens); n > 0 {
		st.ClipLowFrac = float64(nLow) / n
		st.ClipHighFrac = float64(nHigh) / n
		st.DualClipFrac = float64(nDual) / n
		st.MeanRatio = ratioSum / n
		st.MeanKL = klSum / n
		st.MeanEntropy = entSum / n
	}
	return res, nil
}

// klCoef is the KL term's token coefficient w * KLWeight_b * m * norm_b: the row weight and
// KLWeight scale the KL term alone, so a row can carry a stronger KL than the rest of its loss.
// Without KLWeight it is the loss coefficient w * m * norm_b, computed in the same order.
func klCoef(mb *MiniBatch, b int, w, m, norm float64) float64 {
	if mb.KLWeight != nil {
		w *= mb.KLWeight[b]
	}
	return w * m * norm
}

func rowWeight(mb *MiniBatch, b int) float64 {
	if mb.Weight == nil {
		return 1
	}
	return mb.Weight[b]
}

// effectiveMask folds TokenMask and zero row weights into one float64 mask.
func effectiveMask(mb *MiniBatch) [][]float64 {
	mask := make([][]float64, mb.Len())
	for b := range mask {
		T := len(mb.OldLogp[b])
		row := make([]float64, T)
		mask[b] = row
		if rowWeight(mb, b) == 0 {
			continue
		}
		for t := range row {
			row[t] = 1
			if mb.TokenMask != nil && mb.TokenMask[b] != nil {
				row[t] = float64(mb.TokenMask[b][t])
			}
		}
	}
	return mask
}

// tokenLoss evaluates one row's per-token policy surrogate.
type tokenLoss struct {
	cfg   *LossConfig
	adv   float64
	nft   bool
	pos   bool
	omega float64
	rhat  float64
}

func newTokenLoss(cfg *LossConfig, mb *MiniBatch, b int) (tokenLoss, error) {
	tl := tokenLoss{cfg: cfg, adv: mb.Advantage[b]}
	if !finite(tl.adv) {
		return tl, errorf("mini-batch row %d has advantage %g; advantages must be finite", b, tl.adv)
	}
	if cfg.HDPO && !finite(mb.AdvantageEff[b]) {
		return tl, errorf("mini-batch row %d has efficiency advantage %g; it must be finite", b, mb.AdvantageEff[b])
	}
	if cfg.Kind != KindNFT || cfg.NFT.NegWeight < 0 {
		return tl, nil
	}
	r := mb.GroupAccuracy[b]
	if !finite(r) {
		return tl, errorf("mini-batch row %d has group accuracy %g; NFT needs r_q in [0, 1]", b, r)
	}
	tl.nft, tl.pos = true, mb.Correct[b]
	tl.rhat = min(max(r, cfg.NFT.RhatMin), cfg.NFT.RhatMax)
	omega, err := NFTPromptWeight(tl.rhat, cfg.NFT.PromptWeight)
	tl.omega = omega
	return tl, err
}

// pg is the row's policy-gradient token loss.
func (tl *tokenLoss) pg(lp, old float64) (l, dl float64, state ClipState) {
	if !tl.nft {
		return tl.surrogate(lp, old, tl.adv)
	}
	if tl.pos {
		l, dl = NFTPositiveToken(lp, old)
	} else {
		l, dl = NFTNegativeToken(lp, old, tl.rhat, tl.cfg.NFT.Eps)
		l, dl = tl.cfg.NFT.NegWeight*l, tl.cfg.NFT.NegWeight*dl
	}
	return tl.omega * l, tl.omega * dl, Unclipped
}

// surrogate is the advantage-based token loss (clip or reinforce) for advantage a.
func (tl *tokenLoss) surrogate(lp, old, a float64) (l, dl float64, state ClipState) {
	if tl.cfg.Kind == KindReinforce {
		l, dl = ReinforceToken(lp, a)
		return l, dl, Unclipped
	}
	return ClipToken(lp, old, a, tl.cfg.EpsLow, tl.cfg.EpsHigh, tl.cfg.DualClip)
}

// checkPolicyInputs verifies that logp, entropy and the fields the config needs are present and
// shaped like OldLogp.
func checkPolicyInputs(cfg *LossConfig, mb *MiniBatch, logp, entropy [][]float32) error {
	B := mb.Len()
	if len(logp) != B {
		return errorf("logp has %d rows for a mini-batch of %d; pass one row per mini-batch row", len(logp), B)
	}
	needH := cfg.EntropyCoef != 0 || cfg.TopEntropyFraction > 0
	if needH && entropy == nil {
		return errorf("an entropy bonus or top-entropy masking needs the per-token entropy (Pass.Entropy)")
	}
	if entropy != nil && len(entropy) != B {
		return errorf("entropy has %d rows for a mini-batch of %d", len(entropy), B)
	}
	if cfg.Kind == KindNFT && (mb.Correct == nil || mb.GroupAccuracy == nil) {
		return errorf("loss kind nft needs Correct and GroupAccuracy for every row")
	}
	if cfg.HDPO {
		if cfg.Kind == KindNFT {
			return errorf("HDPO's efficiency channel is defined for the clip and reinforce losses, not nft")
		}
		if mb.AdvantageEff == nil || mb.EffQualifies == nil {
			return errorf("HDPO needs AdvantageEff and EffQualifies for every row (use the hdpo advantage estimator)")
		}
	}
	for b := range B {
		T := len(mb.OldLogp[b])
		if len(logp[b]) != T {
			return errorf("logp row %d has %d values for %d tokens", b, len(logp[b]), T)
		}
		if entropy != nil && len(entropy[b]) != T {
			return errorf("entropy row %d has %d values for %d tokens", b, len(entropy[b]), T)
		}
		if cfg.Beta != 0 && T > 0 && (mb.RefLogp == nil || mb.RefLogp[b] == nil) {
			return errorf("beta %g needs reference log-probs, but row %d has none; record RefLogp or set beta 0", cfg.Beta, b)
		}
		for t := range T {
			if !finite(float64(logp[b][t])) || !finite(float64(mb.OldLogp[b][t])) {
				return errorf("row %d token %d: logp %g, logp_old %g; log-probs must be finite", b, t, logp[b][t], mb.OldLogp[b][t])
			}
		}
	}
	return nil
}
