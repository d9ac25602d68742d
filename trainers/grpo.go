package trainers

import (
	"context"

	"grit/rl"
)

// grpo is Group Relative Policy Optimisation (Shao et al. 2024) with the DAPO / Dr. GRPO options.
// Per prompt q, G completions are sampled and scored; each gets the group-relative advantage
//
//	A_i = (r_i - mean_G r) / (std_G r + eps)      (scale_rewards group; batch: std over the batch;
//	                                               none: Dr. GRPO's A_i = r_i - mean_G r)
//
// and every token of completion i the clipped surrogate with clip-higher and the k3 KL:
//
//	l_t = -min(rho_t A_i, clip(rho_t, 1 - eps_low, 1 + eps_high) A_i) + beta k3_t,
//	rho_t = pi(o_t | ...) / pi_old(o_t | ...)
//
// aggregated by loss_type (grpo, bnpo, dr_grpo, dapo; see rl.PolicyLoss).
type grpo struct{ t *trainer }

func newGRPO(t *trainer) *grpo { return &grpo{t: t} }

func (g *grpo) needsReference() bool { return g.t.cfg.Beta > 0 }

func (g *grpo) totalOptSteps() int { return rlOptSteps(g.t.cfg, 1) }

// rlOptSteps estimates the optimiser steps of a run with turnsPerSample rows per sample.
func rlOptSteps(cfg Config, turnsPerSample int) int {
	rows := cfg.PromptsPerStep * cfg.NumGenerations * turnsPerSample
	perIter := (rows + cfg.MiniBatchSize - 1) / cfg.MiniBatchSize
	return max(1, cfg.Steps*cfg.NumIterations*perIter)
}

// advantageConfig maps the config's estimator and scaling onto rl's.
func (t *trainer) advantageConfig() rl.AdvantageConfig {
	ac := rl.DefaultAdvantageConfig()
	ac.Scale = rl.RewardScale(t.cfg.ScaleRewards)
	if t.cfg.Estimator == "rloo" {
		ac.Estimator = rl.EstimatorRLOO
	}
	return ac
}

// clipLossConfig is the clip loss with the config's GRPO options.
func (t *trainer) clipLossConfig() rl.LossConfig {
	lc := rl.DefaultLossConfig()
	lc.Kind = rl.KindClip
	lc.LossType = rl.LossType(t.cfg.LossType)
	lc.EpsLow, lc.EpsHigh, lc.DualClip = t.cfg.EpsLow, t.cfg.EpsHigh, t.cfg.DualClip
	lc.Beta = t.cfg.Beta
	lc.EntropyCoef = t.cfg.EntropyCoef
	lc.TopEntropyFraction = t.cfg.TopEntropyQuantile
	return lc
}

func (g *grpo) step(ctx context.Context, step int, m Metrics) error {
	t := g.t
	kept, all, err := t.collectGroups(ctx, step, m, t.trajectorySamples(step))
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	st, err := rl.AssignAdvantages(kept, t.advantageConfig())
	if err != nil {
		return err
	}
	m["zero_std_groups"] = float64(st.ZeroStdGroups)
	if t.cfg.MaskTruncated {
		m["masked_truncated"] = float64(rl.MaskTruncated(kept))
	}
	return t.learn(ctx, step, kept, t.clipLossConfig(), m)
}

// learn records reference log-probs, stores the step's rollouts and runs the updates.
func (t *trainer) learn(ctx context.Context, step int, samples []rl.Sample, lc rl.LossConfig, m Metrics) error {
	return t.learnWeighted(ctx, step, samples, sampleWeights{}, lc, m)
}

// sampleWeights are per-sample factors (nil = 1) of the loss (loss) and of the KL term alone (kl);
// every row (turn) of a sample gets its sample's factors.
type sampleWeights struct{ loss, kl []float64 }

// learnWeighted is learn with per-sample loss and KL weights. Excluded samples (no reward component
// computed, RewardOK false) are masked and get loss weight 0: they leave the loss and every
// normaliser (tokens, rows), not only the advantage.
func (t *trainer) learnWeighted(ctx context.Context, step int, samples []rl.Sample, w sampleWeights, lc rl.LossConfig, m Metrics) error {
	if excludeUnscored(samples) > 0 {
		loss := make([]float64, len(samples))
		for i := range loss {
			loss[i] = 1
			if w.loss != nil {
				loss[i] = w.loss[i]
			}
			if !samples[i].RewardOK {
				loss[i] = 0
			}
		}
		w.loss = loss
	}
	if lc.Beta > 0 {
		if err := t.fillReference(samples); err != nil {
			return err
		}
	}
	ro, err := t.storeRollouts(step, samples)
	if err != nil {
		return err
	}
	defer ro.Release()
	rw := rowWeights{loss: perRow(samples, w.loss), kl: perRow(samples, w.kl)}
	return t.update(ctx, step, ro, rw, lc, m)
}

// excludeUnscored masks the samples without a reward (RewardOK false) and returns how many.
func excludeUnscored(samples []rl.Sample) int {
	n := 0
	for i := range samples {
		if !samples[i].RewardOK {
			samples[i].Masked = true
			n++
		}
	}
	return n
}
