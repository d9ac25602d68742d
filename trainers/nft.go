package trainers

import (
	"context"

	"grit/rl"
)

// nft is negative-aware fine-tuning ("Bridging Supervised Learning and Reinforcement Learning in
// Math Reasoning", 2025). One step:
//
//  1. sample: per prompt q, G completions                                        (collectGroups)
//  2. grade:  r_i and the verdict c_i in {0, 1}                                  (trajectorySample)
//  3. prompt accuracy under pi_old: r_q = (1/G) sum_i c_i, rhat = clamp(r_q, 0.02, 0.98);
//     groups with r_q in {0, 1} carry no signal and are left out                (informativeGroups)
//  4. loss, per token with R_t = exp(min(logp_t - logp_old_t, 10)):
//     correct sample:   L+ = -log R_t
//     incorrect sample: L- = -log max_v((1 - rhat R_t) / (1 - rhat), eps)   (the implicit negative
//     policy pi_neg = (pi_old - rhat pi) / (1 - rhat); the clamp keeps the gradient)
//     L = (1/Z) sum_tokens omega(q) (c L+ + neg_weight (1 - c) L-),
//     omega = 1 - rhat (prompt_weight 1-r) or sqrt((1 - rhat) / rhat) (sqrt),
//     Z = nft.normaliser (a constant)                                            (lossConfig)
//  5. update: as grpo                                                            (learn)
//
// neg_weight 0 trains on positives only (rejection-sampling fine-tuning); -1 uses GRPO's clipped
// surrogate on the same filtered groups instead.
type nft struct{ t *trainer }

func (n *nft) needsReference() bool { return n.t.cfg.Beta > 0 }

func (n *nft) totalOptSteps() int { return rlOptSteps(n.t.cfg, 1) }

func (n *nft) step(ctx context.Context, step int, m Metrics) error {
	t := n.t
	kept, all, err := t.collectGroups(ctx, step, m, t.trajectorySamples(step)) // 1.-2. sample, grade
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	informative, err := n.informativeGroups(kept, m) // 3. r_q, 0 < r_q < 1
	if err != nil {
		return err
	}
	t.maskTruncated(informative, m)
	return t.learn(ctx, step, informative, n.lossConfig(), m) // 4.-5. L, update
}

// informativeGroups fills every sample's GroupAccuracy r_q (and the GRPO advantage the neg_weight
// -1 fallback uses) and keeps the groups with 0 < r_q < 1.
func (n *nft) informativeGroups(samples []rl.Sample, m Metrics) ([]rl.Sample, error) {
	if _, err := rl.AssignAdvantages(samples, n.t.advantageConfig()); err != nil {
		return nil, err
	}
	informative, dropped := dropSolvedOrUnsolved(samples)
	m[keyGroupsUninformative] = float64(dropped)
	return informative, nil
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

// lossConfig is NFT's L: kind nft (L+ / L- per token, omega(q)), aggregation sum / Z with
// Z = nft.normaliser; neg_weight < 0 falls back to grpo's clipped surrogate.
func (n *nft) lossConfig() rl.LossConfig {
	cfg := n.t.cfg
	lc := n.t.clipLossConfig()
	if cfg.NFT.NegWeight < 0 {
		return lc // the reference's fallback: GRPO's clipped surrogate on the same filtered groups
	}
	lc.Kind = rl.KindNFT
	lc.LossType = rl.LossTypeConstant // L = (1/Z) sum_tokens ...
	lc.Normalizer = cfg.NFT.Normaliser
	lc.NFT.NegWeight = cfg.NFT.NegWeight // neg_weight on L-
	lc.NFT.Eps = cfg.NFT.ClampEps        // max_v(., eps)
	lc.NFT.PromptWeight = cfg.NFT.PromptWeight
	return lc
}
