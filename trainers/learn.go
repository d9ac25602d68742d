package trainers

import (
	"context"

	"grit/rl"
)

// This file is the shared second half of every RL step: from graded samples with advantages to
// the policy update. learnWeighted masks ungraded samples, records reference log-probs for the KL
// term, stores the rollouts as one Arrow record (store.go) and runs the mini-batch updates
// (update.go) with per-row loss and KL factors (rowweights.go).

// learn records reference log-probs, stores the step's rollouts and runs the updates.
func (t *trainer) learn(ctx context.Context, step int, samples []rl.Sample, lc rl.LossConfig, m Metrics) error {
	return t.learnWeighted(ctx, step, samples, sampleWeights{}, lc, m)
}

// sampleWeights are per-sample factors (nil = 1) of the loss (loss) and of the KL term alone (kl);
// every row (turn) of a sample gets its sample's factors, and its loss factor is multiplied by
// turns[i][k] for turn k of sample i (turns nil = 1: rrr trains one turn of an episode).
type sampleWeights struct {
	loss, kl []float64
	turns    [][]float64
}

// learnWeighted is learn with per-sample loss and KL weights. Excluded samples (no reward component
// computed, RewardOK false) are masked and get loss weight 0: they leave the loss and every
// normaliser (tokens, rows), not only the advantage.
func (t *trainer) learnWeighted(ctx context.Context, step int, samples []rl.Sample, w sampleWeights, lc rl.LossConfig, m Metrics) error {
	rw := lossRows(samples, w)
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
	return t.update(ctx, step, ro, rw, lc, m)
}

// lossRows masks the samples without a reward and turns the per-sample factors into per-row
// ones: ungraded samples get loss weight 0, every turn its sample's factors.
func lossRows(samples []rl.Sample, w sampleWeights) rowWeights {
	if excludeUnrewarded(samples) > 0 {
		w.loss = ungradedOut(samples, w.loss)
	}
	return rowWeights{loss: perTurnLoss(samples, perRow(samples, w.loss), w.turns), kl: perRow(samples, w.kl)}
}

// perTurnLoss multiplies the per-row loss factors (nil = 1) by the per-turn ones (nil = 1).
func perTurnLoss(samples []rl.Sample, rows []float64, turns [][]float64) []float64 {
	if turns == nil {
		return rows
	}
	out := make([]float64, 0, len(rows))
	for i := range samples {
		for k := range samples[i].Turns {
			f := turns[i][k]
			if rows != nil {
				f *= rows[len(out)]
			}
			out = append(out, f)
		}
	}
	return out
}

// ungradedOut is the per-sample loss weights (nil = 1) with 0 for every sample without a reward.
func ungradedOut(samples []rl.Sample, loss []float64) []float64 {
	out := make([]float64, len(samples))
	for i := range out {
		out[i] = 1
		if loss != nil {
			out[i] = loss[i]
		}
		if !samples[i].RewardOK {
			out[i] = 0
		}
	}
	return out
}

// excludeUnrewarded masks the samples without a reward (RewardOK false) and returns how many.
func excludeUnrewarded(samples []rl.Sample) int {
	n := 0
	for i := range samples {
		if !samples[i].RewardOK {
			samples[i].Masked = true
			n++
		}
	}
	return n
}

// maskTruncated masks the samples cut at max_new_tokens when mask_truncated is on (DAPO's
// overlong filtering) and logs how many.
func (t *trainer) maskTruncated(samples []rl.Sample, m Metrics) {
	if t.cfg.MaskTruncated {
		m[keyMaskedTruncated] = float64(rl.MaskTruncated(samples))
	}
}
