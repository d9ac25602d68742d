package trainers

import (
	"fmt"

	"grit/envs"
	"grit/policy"
	"grit/rewards"
	"grit/rl"
)

// CheckRewardWeights is the start-of-run check of reward_weights against env: every name must be
// a reward component the env produces (envs.RewardComponents); otherwise the error lists the
// env's components. Components not named keep weight 1 (rl.TotalReward). An env that does not
// list its components is not checked here; the run's guard on steps where every sample is
// excluded (max_empty_steps) still catches weights that leave nothing to learn from.
func CheckRewardWeights(env envs.Env, weights map[string]float64) error {
	names, ok := envs.RewardComponents(env)
	if !ok || len(weights) == 0 {
		return nil
	}
	if err := rl.CheckRewardWeights(weights, names); err != nil {
		return fmt.Errorf("env %s: %w", env.Name(), err)
	}
	return nil
}

// rewardWeights returns the configured weights, or nil (every component weight 1) when none are set.
func (t *trainer) rewardWeights() map[string]float64 {
	if len(t.cfg.RewardWeights) == 0 {
		return nil
	}
	return t.cfg.RewardWeights
}

// trajectorySample turns a whole trajectory into one rl.Sample: every turn is a training row, all turns
// share the trajectory's advantage, and the reward is the final turn's verdict (a tool-use episode
// is rewarded when it answers). DAPO overlong shaping, when on, is added to the total reward.
func (t *trainer) trajectorySample(step int, tr *Trajectory) rl.Sample {
	last := tr.Last()
	s := rl.Sample{
		Step: step + 1, PolicyVersion: tr.PolicyVersion, PromptID: tr.Task.ID, Group: tr.Group, Index: tr.Index,
		Components: append([]rewards.Component(nil), last.Reward.Components...),
		Correct:    last.Reward.Correct, Truncated: tr.Truncated(),
		NumTokens: tr.GeneratedTokens(), ToolCalls: tr.ToolCalls(), PromptText: tr.Task.Prompt,
	}
	for _, tu := range tr.Turns {
		s.Turns = append(s.Turns, rl.TurnTokens{Context: tu.Context, Tokens: tu.Gen.Tokens, Logp: tu.Gen.LogProbs, Text: tu.Gen.Text})
	}
	t.setSampleReward(&s)
	return s
}

// trajectorySamples maps trajectories one to one onto samples (trajectorySample).
func (t *trainer) trajectorySamples(step int) func([]*Trajectory) []rl.Sample {
	return func(trajs []*Trajectory) []rl.Sample {
		out := make([]rl.Sample, len(trajs))
		for i, tr := range trajs {
			out[i] = t.trajectorySample(step, tr)
		}
		return out
	}
}

// setSampleReward computes the sample's total reward from its components (and overlong shaping).
func (t *trainer) setSampleReward(s *rl.Sample) {
	total := rl.TotalReward(s.Components, t.rewardWeights())
	s.Reward, s.RewardOK = total.Value, total.OK
	if t.cfg.OverlongMaxLen > 0 {
		pen := rl.OverlongPenalty(s.NumTokens, t.cfg.OverlongMaxLen, t.cfg.OverlongCache)
		s.Components = append(s.Components, rewards.Component{Name: "overlong", Value: pen, OK: true})
		s.Reward += pen
	}
}

// fillReference records the reference policy's log-probs of every turn (for the KL term).
func (t *trainer) fillReference(samples []rl.Sample) error {
	if t.ref == nil {
		return nil
	}
	var seqs []sequenceRef
	for i := range samples {
		for k := range samples[i].Turns {
			seqs = append(seqs, sequenceRef{i, k})
		}
	}
	ps := make([]policy.Sequence, len(seqs))
	for j, r := range seqs {
		tu := samples[r.sample].Turns[r.turn]
		ps[j] = policy.Sequence{Prompt: tu.Context, Completion: tu.Tokens}
	}
	lps, err := t.ref.LogProbs(ps)
	if err != nil {
		return err
	}
	for j, r := range seqs {
		samples[r.sample].Turns[r.turn].RefLogp = lps[j]
	}
	return nil
}

type sequenceRef struct{ sample, turn int }
