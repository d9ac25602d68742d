package trainers

import (
	"context"

	"grit/rl"
)

// grpo is Group Relative Policy Optimisation (Shao et al. 2024) with the DAPO / Dr. GRPO options.
// One step:
//
//  1. sample: per prompt q, G = num_generations completions o_1..o_G          (collectGroups)
//  2. grade:  r_i = sum_c w_c r_c(o_i) (+ DAPO's overlong penalty)              (trajectorySample)
//  3. advantages, the group-relative baseline:
//     A_i = (r_i - mean_G r) / (std_G r + eps)    scale_rewards group
//     A_i = (r_i - mean_G r) / (std_B r + eps)    scale_rewards batch (std over the whole batch)
//     A_i =  r_i - mean_G r                        scale_rewards none (Dr. GRPO)
//     (stds Bessel-corrected; estimator rloo: A_i = r_i - mean_{j != i} r_j)   (advantages)
//  4. loss, on every token t of completion i: the clipped surrogate with clip-higher and the k3 KL
//     l_t = -min(rho_t A_i, clip(rho_t, 1 - eps_low, 1 + eps_high) A_i) + beta k3_t,
//     rho_t = pi(o_t | ...) / pi_old(o_t | ...),
//     aggregated by loss_type (grpo, bnpo, dr_grpo, dapo; see rl.PolicyLoss)         (lossConfig)
//  5. update: num_iterations epochs of mini-batch steps on the stored rollouts      (learn)
type grpo struct{ t *trainer }

func newGRPO(t *trainer) *grpo { return &grpo{t: t} }

func (g *grpo) needsReference() bool { return g.t.cfg.Beta > 0 }

func (g *grpo) totalOptSteps() int { return rlOptSteps(g.t.cfg, 1) }

func (g *grpo) step(ctx context.Context, step int, m Metrics) error {
	t := g.t
	kept, all, err := t.collectGroups(ctx, step, m, t.trajectorySamples(step)) // 1.-2. sample, grade
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	if err := g.advantages(kept, m); err != nil { // 3. A_i
		return err
	}
	t.maskTruncated(kept, m)
	return t.learn(ctx, step, kept, g.lossConfig(), m) // 4.-5. l_t, update
}

// advantages fills every sample's A_i = (r_i - mean_G r) / (std r + eps) (scaled per
// scale_rewards) and GroupAccuracy, and logs the groups whose rewards are all equal (A = 0).
func (g *grpo) advantages(samples []rl.Sample, m Metrics) error {
	st, err := rl.AssignAdvantages(samples, g.t.advantageConfig())
	if err != nil {
		return err
	}
	m[keyZeroStdGroups] = float64(st.ZeroStdGroups)
	return nil
}

// lossConfig is l_t = -min(rho A, clip(rho, 1-eps_low, 1+eps_high) A) + beta k3 with the
// config's loss_type.
func (g *grpo) lossConfig() rl.LossConfig { return g.t.clipLossConfig() }
