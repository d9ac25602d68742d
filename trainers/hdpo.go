package trainers

import (
	"context"

	"grit/rl"
)

// hdpo is HDPO's decoupled accuracy / efficiency optimisation (Metis, "Act Wisely"). One step:
//
//  1. sample: per prompt q, G episodes (tool calls included)                     (collectGroups)
//  2. grade, two channels:
//     r_acc_i = sum_c w_c r_c (e.g. 0.9 correct + 0.1 format)                    (trajectorySample)
//     r_eff_i = 1/(T_i+1) for T_i tool calls (hdpo.efficiency tools) or 1/(1+tokens), correct
//     samples only                                                               (efficiencyReward)
//  3. advantages:
//     A_acc_i = (r_acc_i - mean_G r_acc) / (std_G r_acc + eps)        over all G
//     A_eff_i = (r_eff_i - mean_Q r_eff) / (std_Q r_eff + 1e-6)       for i in Q, 0 outside,
//     Q = the group's correct samples; every A_eff is 0 when |Q| < 2      (advantages)
//  4. loss: L = w_acc L_clip(A_acc) + w_eff L_clip(A_eff), the efficiency term a token mean over
//     Q only                                                                     (lossConfig)
//  5. update: as grpo                                                            (learn)
type hdpo struct{ t *trainer }

func (h *hdpo) needsReference() bool { return h.t.cfg.Beta > 0 }

func (h *hdpo) totalOptSteps() int { return rlOptSteps(h.t.cfg, 1) }

func (h *hdpo) step(ctx context.Context, step int, m Metrics) error {
	t := h.t
	kept, all, err := t.collectGroups(ctx, step, m, h.samples(step)) // 1.-2. sample, r_acc, r_eff
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	if err := h.advantages(kept, m); err != nil { // 3. A_acc, A_eff
		return err
	}
	t.maskTruncated(kept, m)
	return t.learn(ctx, step, kept, h.lossConfig(), m) // 4.-5. L, update
}

// samples grades trajectories on both channels: r_acc (trajectorySample) and, for correct ones,
// r_eff (efficiencyReward).
func (h *hdpo) samples(step int) func([]*Trajectory) []rl.Sample {
	return func(trajs []*Trajectory) []rl.Sample {
		out := make([]rl.Sample, len(trajs))
		for i, tr := range trajs {
			out[i] = h.t.trajectorySample(step, tr)
			if out[i].Correct {
				out[i].RewardEff = h.efficiencyReward(&out[i])
			}
		}
		return out
	}
}

// efficiencyReward is r_eff of a correct sample: 1/(T+1) for T tool calls, or 1/(1+tokens).
func (h *hdpo) efficiencyReward(s *rl.Sample) float64 {
	if h.t.cfg.HDPO.Efficiency == EfficiencyTokens {
		return 1 / (1 + float64(s.NumTokens))
	}
	return 1 / (1 + float64(s.ToolCalls))
}

// advantages fills A_acc (Advantage) over the group and A_eff (AdvantageEff) over its correct set
// Q (EffQualifies marks i in Q with |Q| >= 2), and logs the fraction of samples in some Q.
func (h *hdpo) advantages(samples []rl.Sample, m Metrics) error {
	ac := h.t.advantageConfig()
	ac.Estimator = rl.EstimatorHDPO
	if _, err := rl.AssignAdvantages(samples, ac); err != nil {
		return err
	}
	q := 0
	for i := range samples {
		if samples[i].EffQualifies {
			q++
		}
	}
	m[keyEffQualifyingFrac] = float64(q) / float64(max(1, len(samples)))
	return nil
}

// lossConfig is L = w_acc L_clip(A_acc) + w_eff L_clip(A_eff).
func (h *hdpo) lossConfig() rl.LossConfig {
	lc := h.t.clipLossConfig()
	lc.HDPO, lc.WAcc, lc.WEff = true, h.t.cfg.HDPO.WAcc, h.t.cfg.HDPO.WEff
	return lc
}
