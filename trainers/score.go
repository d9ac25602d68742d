package trainers

import (
	"context"
	"fmt"

	"grit/envs"
	"grit/rl"
)

// score is SCoRe (Kumar et al. 2024): two-stage multi-turn RL that teaches a policy to correct its
// own first attempt. Episodes have two attempts (x1 -> y1, x2 = x1 + y1 + instruction -> y2) with
// binary rewards r1, r2.
//
//	Stage I  (steps < score.stage1_steps): max E[r(y2)] - beta2 KL(pi(.|x1) || pi_ref(.|x1))
//	         - beta1 KL on attempt 2: attempt 1 is held at the base policy, attempt 2 learns.
//	Stage II: max E[r(y1) + r(y2)] - beta1 KL on both attempts, with the shaping bonus
//	         alpha (r(y2) - r(y1)) on attempt 2's reward.
//
// Credit is per attempt: attempt 1's tokens are pushed by r1 (Stage II only), attempt 2's by
// r2 (+ the bonus in Stage II). Baselines are per prompt and attempt (the group's mean);
// score.estimator reinforce uses A = r - mean_G r with the plain policy gradient, grpo uses the
// std-normalised advantage with the clipped surrogate.
type score struct{ t *trainer }

func newSCoRe(t *trainer) (*score, error) {
	ma, ok := t.env.(envs.MultiAttempt)
	if !ok || ma.Attempts() < 2 {
		return nil, fmt.Errorf("algo score needs a multi-attempt env, but env %q is not one; use env correction (e.g. env_args: {base: arithmetic, attempts: 2})",
			t.env.Name())
	}
	return &score{t: t}, nil
}

func (s *score) needsReference() bool { return true }

func (s *score) totalOptSteps() int { return rlOptSteps(s.t.cfg, 2) }

// turnReward is the verifier's reward of one attempt (its weighted components).
func (s *score) turnReward(tu *Turn) (float64, bool) {
	tot := rl.TotalReward(tu.Reward.Components, s.t.rewardWeights())
	return tot.Value, tot.OK
}

func (s *score) step(ctx context.Context, step int, m Metrics) error {
	t, cfg := s.t, s.t.cfg.SCoRe
	stage1 := step < cfg.Stage1Steps
	m["stage"] = 2
	if stage1 {
		m["stage"] = 1
	}
	var r1s, r2s []float64
	kept, all, err := t.collectGroups(ctx, step, m, func(trajs []*Trajectory) []rl.Sample {
		var out []rl.Sample
		for _, tr := range trajs {
			out = append(out, s.attemptSamples(step, tr, stage1)...)
			if len(tr.Turns) >= 2 {
				r1, _ := s.turnReward(&tr.Turns[0])
				r2, _ := s.turnReward(&tr.Turns[1])
				r1s, r2s = append(r1s, r1), append(r2s, r2)
			}
		}
		return out
	})
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	m["reward_t1_mean"], _ = meanStd(r1s)
	m["reward_t2_mean"], _ = meanStd(r2s)
	ac := t.advantageConfig()
	lc := t.clipLossConfig()
	if cfg.Estimator == "reinforce" {
		ac.Estimator = rl.EstimatorDrGRPO
		lc.Kind = rl.KindReinforce
	}
	if _, err := rl.AssignAdvantages(kept, ac); err != nil {
		return err
	}
	// KL weights per attempt: the loss is linear in each row's weight and attempt-1 rows carry no
	// policy-gradient term in Stage I, so row weight beta2/beta1 on them gives them KL weight beta2.
	lc.Beta = cfg.Beta1
	weights := make([]float64, len(kept))
	for i := range kept {
		weights[i] = 1
		if stage1 && kept[i].Index%2 == 0 {
			kept[i].Advantage = 0
			weights[i] = cfg.Beta2 / cfg.Beta1
		}
	}
	if t.cfg.MaskTruncated {
		m["masked_truncated"] = float64(rl.MaskTruncated(kept))
	}
	return t.learnWeighted(ctx, step, kept, weights, lc, m)
}

// attemptSamples splits an episode into one sample per attempt, so each attempt gets its own
// advantage. Groups are per (prompt, attempt): Group = 2*g + k; Index = 2*i + k encodes the attempt.
func (s *score) attemptSamples(step int, tr *Trajectory, stage1 bool) []rl.Sample {
	alpha := s.t.cfg.SCoRe.Alpha
	var out []rl.Sample
	var r1 float64
	for k := range tr.Turns {
		tu := &tr.Turns[k]
		smp := rl.Sample{
			Step: step + 1, PromptID: tr.Task.ID, Group: 2*tr.Group + k, Index: 2*tr.Index + k,
			Components: tu.Reward.Components, Correct: tu.Reward.Correct, Truncated: !tu.Gen.Finished,
			NumTokens: len(tu.Gen.Tokens), ToolCalls: tu.ToolCalls, PromptText: tr.Task.Prompt,
			Turns: []rl.Turn{{Context: tu.Context, Tokens: tu.Gen.Tokens, Logp: tu.Gen.LogProbs, Text: tu.Gen.Text}},
		}
		r, ok := s.turnReward(tu)
		smp.Reward, smp.RewardOK = r, ok
		if k == 0 {
			r1 = r
		} else if !stage1 {
			smp.Reward = r + alpha*(r-r1) // Stage II shaping bonus on attempt 2
		}
		out = append(out, smp)
	}
	return out
}
