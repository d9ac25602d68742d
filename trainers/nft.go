package trainers

import (
	"context"

	"grit/rl"
)

// nft is negative-aware fine-tuning ("Bridging Supervised Learning and Reinforcement Learning in
// Math Reasoning", 2025). For a prompt with accuracy r_q under pi_old (its group's fraction of
// correct samples), rhat = clamp(r_q, 0.02, 0.98), and per token R_t = exp(min(logp_t - logp_old_t, 10)):
//
//	correct sample:   L+ = -log R_t
//	incorrect sample: L- = -log max_v((1 - rhat R_t) / (1 - rhat), eps)   (clamp keeps the gradient)
//	L = (1/Z) sum_tokens omega(q) (c L+ + neg_weight (1 - c) L-),  omega = 1 - rhat or sqrt((1-rhat)/rhat)
//
// Groups with r_q in {0, 1} carry no signal and are filtered out. neg_weight 0 trains on positives
// only (rejection-sampling fine-tuning); -1 uses the clipped policy-gradient loss instead.
type nft struct{ t *trainer }

func (n *nft) needsReference() bool { return n.t.cfg.Beta > 0 }

func (n *nft) totalOptSteps() int { return rlOptSteps(n.t.cfg, 1) }

// lossConfig is NFT's loss with the config's options.
func (n *nft) lossConfig() rl.LossConfig {
	cfg := n.t.cfg
	lc := n.t.clipLossConfig()
	if cfg.NFT.NegWeight < 0 {
		return lc // the reference's fallback: GRPO's clipped surrogate on the same filtered groups
	}
	lc.Kind = rl.KindNFT
	lc.LossType = rl.LossTypeConstant
	lc.Normalizer = cfg.NFT.Normaliser
	lc.NFT.NegWeight = cfg.NFT.NegWeight
	lc.NFT.Eps = cfg.NFT.ClampEps
	lc.NFT.PromptWeight = rl.PromptWeightOneMinusR
	if cfg.NFT.PromptWeight == "sqrt" {
		lc.NFT.PromptWeight = rl.PromptWeightSqrt
	}
	return lc
}

func (n *nft) step(ctx context.Context, step int, m Metrics) error {
	t := n.t
	kept, all, err := t.collectGroups(ctx, step, m, t.trajectorySamples(step))
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	if _, err := rl.AssignAdvantages(kept, t.advantageConfig()); err != nil {
		return err
	}
	informative, dropped := dropSolvedOrUnsolved(kept)
	m["groups_uninformative"] = float64(dropped)
	if t.cfg.MaskTruncated {
		m["masked_truncated"] = float64(rl.MaskTruncated(informative))
	}
	return t.learn(ctx, step, informative, n.lossConfig(), m)
}

// dropSolvedOrUnsolved removes groups whose accuracy r_q is 0 or 1 (NFT's filter).
func dropSolvedOrUnsolved(samples []rl.Sample) (kept []rl.Sample, dropped int) {
	seen := map[int]bool{}
	for _, s := range samples {
		if s.GroupAccuracy <= 0 || s.GroupAccuracy >= 1 {
			if !seen[s.Group] {
				seen[s.Group] = true
				dropped++
			}
			continue
		}
		kept = append(kept, s)
	}
	return kept, dropped
}
