package trainers

import (
	"context"
	"fmt"

	"grit/envs"
	"grit/rl"
)

// score is SCoRe (Kumar et al. 2024): two-stage multi-turn RL that teaches a policy to correct its
// own first attempt. An episode has k >= 2 attempts (x1 -> y1, x2 = x1 + y1 + instruction -> y2,
// ..., yk) with rewards r_1..r_k; the paper uses k = 2.
//
//	Stage I  (steps < score.stage1_steps):
//	         max sum_{j>=2} E[r_j] - beta2 KL(pi(.|x1) || pi_ref(.|x1)) - beta1 sum_{j>=2} KL_j
//	         attempt 1 gets no policy gradient and is held at the base policy by the strong KL.
//	Stage II: max sum_j E[r_j + b_j] - beta1 sum_j KL_j, with the shaping bonus on every later
//	         attempt b_j = alpha (r_j - r_{j-1}) for j >= 2 (b_1 = 0); for k = 2 this is the
//	         paper's alpha (r2 - r1) on attempt 2.
//	Naive multi-turn RL (score.attempt_reward final, the baseline SCoRe improves on):
//	         max sum_j E[r_k] - beta1 sum_j KL_j, every attempt trained on the last reward, with
//	         no Stage I and no bonus.
//
// Each attempt is its own sample (rl.Sample.Attempt = j-1) in its own group: the group of attempt j
// of prompt g is g*k + (j-1), so each baseline is the mean over the G samples of one prompt and
// one attempt. Attempt j's tokens are pushed by its own (shaped) reward: score.estimator reinforce
// uses A = r - mean_G r with the plain policy gradient, grpo the std-normalised advantage with the
// clipped surrogate. The KL terms are the loss's KL with coefficient beta1 and a per-row KL factor
// beta2/beta1 on Stage I's first attempts (rl.MiniBatch.KLWeight): it scales their KL term alone,
// not the entropy bonus or any other term of those rows. A shaped reward is valid only when both
// rewards it uses are.
type score struct {
	t        *trainer
	attempts int // k
}

func newSCoRe(t *trainer) (*score, error) {
	ma, ok := t.env.(envs.MultiAttempt)
	if !ok || ma.Attempts() < 2 {
		return nil, fmt.Errorf("algo score needs a multi-attempt env, but env %q is not one; use env correction (e.g. env_args: {base: arithmetic, attempts: 2})",
			t.env.Name())
	}
	return &score{t: t, attempts: ma.Attempts()}, nil
}

func (s *score) needsReference() bool { return true }

// totalOptSteps counts one row per attempt: k rows per episode.
func (s *score) totalOptSteps() int { return rlOptSteps(s.t.cfg, s.attempts) }

// turnReward is the verifier's reward of one attempt (its weighted components).
func (s *score) turnReward(tu *EpisodeTurn) (float64, bool) {
	tot := rl.TotalReward(tu.Reward.Components, s.t.rewardWeights())
	return tot.Value, tot.OK
}

func (s *score) step(ctx context.Context, step int, m Metrics) error {
	t, cfg := s.t, s.t.cfg.SCoRe
	stage1 := step < cfg.Stage1Steps
	m[keyStage] = 2
	if stage1 {
		m[keyStage] = 1
	}
	kept, err := s.collect(ctx, step, stage1, m) // 1.-2. k attempts per episode; r_j, + b_j in Stage II
	if err != nil {
		return err
	}
	ac, lc := s.estimator()
	if _, err := rl.AssignAdvantages(kept, ac); err != nil { // 3. A = r - mean_G r per (prompt, attempt)
		return err
	}
	w, beta, err := s.stageWeights(kept, stage1) // 4. KL: beta1 everywhere, beta2 on attempt 1 in Stage I
	if err != nil {
		return err
	}
	lc.Beta = beta
	t.maskTruncated(kept, m)
	return t.learnWeighted(ctx, step, kept, w, lc, m) // 5. update
}

// collect samples the step's episodes and splits each into one sample per attempt
// (attemptSamples); it logs the rollout statistics and every attempt's mean reward r_j.
func (s *score) collect(ctx context.Context, step int, stage1 bool, m Metrics) ([]rl.Sample, error) {
	rewardsByAttempt := make([][]float64, s.attempts)
	var splitErr error
	kept, all, err := s.t.collectGroups(ctx, step, m, func(trajs []*Trajectory) []rl.Sample {
		var out []rl.Sample
		for _, tr := range trajs {
			smps, err := s.attemptSamples(step, tr, stage1)
			if err != nil && splitErr == nil {
				splitErr = err
			}
			out = append(out, smps...)
			for j := range tr.Turns {
				r, _ := s.turnReward(&tr.Turns[j])
				rewardsByAttempt[j] = append(rewardsByAttempt[j], r)
			}
		}
		return out
	})
	if err == nil {
		err = splitErr
	}
	if err != nil {
		return nil, err
	}
	rolloutMetrics(all, m)
	for j, rs := range rewardsByAttempt {
		m[attemptRewardKey(j+1)], _ = meanPopulationStd(rs)
	}
	return kept, nil
}

// estimator is score.estimator's advantage and loss: reinforce, A = r - mean_G r with the plain
// policy gradient -A logp; grpo, the std-normalised advantage with the clipped surrogate.
func (s *score) estimator() (rl.AdvantageConfig, rl.LossConfig) {
	ac, lc := s.t.advantageConfig(), s.t.clipLossConfig()
	if s.t.cfg.SCoRe.Estimator == SCoReReinforce {
		ac.Estimator = rl.EstimatorDrGRPO
		lc.Kind = rl.KindReinforce
	}
	return ac, lc
}

// stageWeights returns the loss's KL coefficient (beta1) and the per-sample weights of the stage.
// In Stage I the first attempts get advantage 0 (no policy gradient) and KL factor beta2/beta1, so
// their KL coefficient is beta2; every other sample keeps factor 1 (beta1). Stage II needs none.
func (s *score) stageWeights(samples []rl.Sample, stage1 bool) (sampleWeights, float64, error) {
	cfg := s.t.cfg.SCoRe
	if !stage1 {
		return sampleWeights{}, cfg.Beta1, nil
	}
	if cfg.Beta1 <= 0 {
		return sampleWeights{}, 0, fmt.Errorf("score.beta1: %g must be > 0 while score.stage1_steps > 0 (Stage I's KL on attempt 1 is beta2 = score.beta2 relative to it)", cfg.Beta1)
	}
	kl := make([]float64, len(samples))
	for i := range samples {
		kl[i] = 1
		if samples[i].Attempt == 0 {
			samples[i].Advantage = 0
			kl[i] = cfg.Beta2 / cfg.Beta1
		}
	}
	return sampleWeights{kl: kl}, cfg.Beta1, nil
}

// attemptGroup is the advantage group of attempt a (0-based) of prompt group g: g*k + a, distinct
// for every (prompt, attempt) pair.
func (s *score) attemptGroup(g, a int) int { return g*s.attempts + a }

// attemptSamples splits an episode into one sample per attempt (Attempt = a, Group =
// attemptGroup(tr.Group, a), Index = tr.Index), with Stage II's shaping bonus
// alpha (r_a - r_{a-1}) on every attempt after the first. With score.attempt_reward final every
// attempt's reward is the last attempt's r_k instead (no bonus): naive multi-turn RL, where
// attempt 1 is pushed by whether the episode ends right, not by its own answer.
func (s *score) attemptSamples(step int, tr *Trajectory, stage1 bool) ([]rl.Sample, error) {
	if len(tr.Turns) > s.attempts {
		return nil, fmt.Errorf("score: an episode of task %q has %d turns but the env promises %d attempts",
			tr.Task.ID, len(tr.Turns), s.attempts)
	}
	alpha := s.t.cfg.SCoRe.Alpha
	out := make([]rl.Sample, 0, len(tr.Turns))
	var prev float64
	var prevOK bool
	for a := range tr.Turns {
		tu := &tr.Turns[a]
		smp := rl.Sample{
			Step: step + 1, PolicyVersion: tr.PolicyVersion, PromptID: tr.Task.ID, Group: s.attemptGroup(tr.Group, a), Index: tr.Index, Attempt: a,
			Components: tu.Reward.Components, Correct: tu.Reward.Correct, Truncated: !tu.Gen.Finished,
			NumTokens: len(tu.Gen.Tokens), ToolCalls: tu.ToolCalls, PromptText: tr.Task.Prompt,
			Turns: []rl.TurnTokens{{Context: tu.Context, Tokens: tu.Gen.Tokens, Logp: tu.Gen.LogProbs, Text: tu.Gen.Text}},
		}
		r, ok := s.turnReward(tu)
		smp.Reward, smp.RewardOK = r, ok
		if s.t.cfg.SCoRe.AttemptReward == SCoReFinalReward {
			smp.Reward, smp.RewardOK = s.turnReward(tr.Last()) // naive multi-turn RL: r_k on every attempt
		} else if a > 0 && !stage1 {
			smp.Reward = r + alpha*(r-prev) // Stage II shaping bonus on attempt a+1
			smp.RewardOK = ok && prevOK
		}
		prev, prevOK = r, ok
		out = append(out, smp)
	}
	return out, nil
}
