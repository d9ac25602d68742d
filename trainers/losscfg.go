package trainers

import "grit/rl"

// This file maps the run's config onto rl's estimator and loss settings; each algorithm starts
// from these and changes only what its paper changes.

// advantageConfig maps the config's estimator (estimator: grpo | rloo) and scaling
// (scale_rewards: group | batch | none) onto rl.AdvantageConfig.
func (t *trainer) advantageConfig() rl.AdvantageConfig {
	ac := rl.DefaultAdvantageConfig()
	ac.Scale = t.cfg.ScaleRewards
	if t.cfg.Estimator == rl.EstimatorRLOO {
		ac.Estimator = rl.EstimatorRLOO
	}
	return ac
}

// clipLossConfig is the clipped surrogate with the config's GRPO options: loss_type, eps_low /
// eps_high / dual_clip, beta (k3 KL), entropy_coef and top_entropy_quantile.
func (t *trainer) clipLossConfig() rl.LossConfig {
	lc := rl.DefaultLossConfig()
	lc.Kind = rl.KindClip
	lc.LossType = t.cfg.LossType
	lc.EpsLow, lc.EpsHigh, lc.DualClip = t.cfg.EpsLow, t.cfg.EpsHigh, t.cfg.DualClip
	lc.Beta = t.cfg.Beta
	lc.EntropyCoef = t.cfg.EntropyCoef
	lc.TopEntropyFraction = t.cfg.TopEntropyQuantile
	return lc
}
