package trainers

import (
	"context"

	"grit/rl"
)

// hdpo is HDPO's decoupled accuracy / efficiency optimisation (Metis, "Act Wisely"). Two channels:
//
//	r_acc: the weighted reward components (e.g. 0.9 correct + 0.1 format), GRPO advantage over all G
//	r_eff: 1/(T+1) for T tool calls (or 1/(1+tokens)), only for correct rollouts; with Q the
//	       group's correct set, A_eff_i = (r_eff_i - mean_Q) / (std_Q + 1e-6) for i in Q, 0 outside,
//	       and all 0 when |Q| < 2
//	L = w_acc L_clip(A_acc) + w_eff L_clip(A_eff), the efficiency term a token mean over Q only.
type hdpo struct{ t *trainer }

func (h *hdpo) needsReference() bool { return h.t.cfg.Beta > 0 }

func (h *hdpo) totalOptSteps() int { return rlOptSteps(h.t.cfg, 1) }

// efficiencyReward is r_eff of a correct sample (the conditional part is applied by rl's estimator).
func (h *hdpo) efficiencyReward(s *rl.Sample) float64 {
	if h.t.cfg.HDPO.Efficiency == "tokens" {
		return 1 / (1 + float64(s.NumTokens))
	}
	return 1 / (1 + float64(s.ToolCalls))
}

func (h *hdpo) step(ctx context.Context, step int, m Metrics) error {
	t := h.t
	kept, all, err := t.collectGroups(ctx, step, m, func(trajs []*Trajectory) []rl.Sample {
		out := make([]rl.Sample, len(trajs))
		for i, tr := range trajs {
			out[i] = t.trajectorySample(step, tr)
			if out[i].Correct {
				out[i].RewardEff = h.efficiencyReward(&out[i])
			}
		}
		return out
	})
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	ac := t.advantageConfig()
	ac.Estimator = rl.EstimatorHDPO
	if _, err := rl.AssignAdvantages(kept, ac); err != nil {
		return err
	}
	q := 0
	for i := range kept {
		if kept[i].EffQualifies {
			q++
		}
	}
	m[keyEffQualifyingFrac] = float64(q) / float64(max(1, len(kept)))
	if t.cfg.MaskTruncated {
		m[keyMaskedTruncated] = float64(rl.MaskTruncated(kept))
	}
	lc := t.clipLossConfig()
	lc.HDPO, lc.WAcc, lc.WEff = true, t.cfg.HDPO.WAcc, t.cfg.HDPO.WEff
	return t.learn(ctx, step, kept, lc, m)
}
