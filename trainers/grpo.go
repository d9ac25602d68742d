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
	m[keyZeroStdGroups] = float64(st.ZeroStdGroups)
	if t.cfg.MaskTruncated {
		m[keyMaskedTruncated] = float64(rl.MaskTruncated(kept))
	}
	return t.learn(ctx, step, kept, t.clipLossConfig(), m)
}
