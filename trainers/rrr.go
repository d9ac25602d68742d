package trainers

import (
	"context"
	"fmt"

	"grit/envs"
	"grit/rl"
)

// rrrBeta is rrr's default KL coefficient (beta): the paper's 0.001.
const rrrBeta = 0.001

// rrr is Reflect, Retry, Reward (Bensal et al. 2025): the policy learns to write self-reflections
// that make its retries succeed. It plays a two-attempt correction env as a reflect-and-retry
// env (envs.ReflectRetry). An episode of prompt q:
//
//	y1 ~ pi(.|q)                        first attempt, graded; right: the episode ends
//	z  ~ pi(.|q, y1, p_reflect)         self-reflection (<= rrr.max_reflection_tokens), not graded
//	y2 ~ pi(.|q, y1, p_reflect, z, I)   retry with the reflection in context (I: the correction
//	                                    env's instruction), graded
//
// With rrr.group prompt, the G episodes of a prompt whose first attempt failed and that wrote a
// reflection form the prompt's group R_q (rrr.group attempt: G reflections after one failed
// first attempt of the prompt, collectFailureGroups). The reflection's reward is the retry's
// verdict, r = 1 if y2 is right, else 0, and its advantage is GRPO's over the group
// (scale_rewards, estimator as for grpo):
//
//	A_i = (r_i - mean_{R_q} r) / (std_{R_q} r + eps)         i in R_q
//
// and the loss is GRPO's clipped surrogate (eps_low, eps_high, loss_type, beta KL) on the
// reflection tokens z alone: the rows of y1 and y2 are stored with the episode but have loss
// weight 0, so the answers get no gradient. Episodes with a right first attempt are not in any
// group and are not trained. With rrr.reflect false there is no reflection turn: the retry y2 ~
// pi(.|q, y1, I) follows at once and is itself the trained turn (GRPO over the prompt's retries,
// first attempts masked), the "retry without reflection" comparison.
type rrr struct {
	t *trainer
}

// trainedTurn is the turn whose tokens are trained: the reflection, or the retry without one.
const trainedTurn = 1

func newRRR(t *trainer) (*rrr, error) {
	env, err := envs.ReflectRetry(t.env, t.cfg.RRR.episodes())
	if err != nil {
		return nil, fmt.Errorf("algo rrr: %w", err)
	}
	t.env = env // training and evaluation play reflect-and-retry episodes
	return &rrr{t: t}, nil
}

func (r *rrr) needsReference() bool { return r.t.cfg.Beta > 0 }

// totalOptSteps counts every episode as a row: an upper bound, since only failed first attempts
// are trained.
func (r *rrr) totalOptSteps() int { return rlOptSteps(r.t.cfg, 1) }

// episodes are the reflect-and-retry settings of the section.
func (c RRRConfig) episodes() envs.ReflectRetryOptions {
	opts := envs.ReflectRetryOptions{ReflectionTokens: c.MaxReflectionTokens}
	if c.Reflect {
		opts.Reflection = c.ReflectionPrompt
	}
	return opts
}

// validate checks the rrr section.
func (c RRRConfig) validate() error {
	if c.Reflect && c.ReflectionPrompt == "" {
		return fmt.Errorf("rrr.reflection_prompt: must not be empty with rrr.reflect: true (it asks for the reflection after a wrong first attempt); set a prompt, or rrr.reflect: false to retry without reflection")
	}
	if c.MaxReflectionTokens < 1 {
		return fmt.Errorf("rrr.max_reflection_tokens: %d must be >= 1 (the reflection's generated tokens, EOS included)", c.MaxReflectionTokens)
	}
	return nil
}

func (r *rrr) step(ctx context.Context, step int, m Metrics) error {
	t := r.t
	var st rrrStats
	var kept, all []rl.Sample
	var err error
	if t.cfg.RRR.Group == RRRGroupAttempt {
		kept, err = r.collectFailureGroups(ctx, step, m, &st)
		all = kept
	} else {
		kept, all, err = t.collectGroups(ctx, step, m, func(trajs []*Trajectory) []rl.Sample {
			for _, tr := range trajs {
				st.add(t.env, tr)
			}
			return r.samples(step, trajs)
		})
	}
	if err != nil {
		return err
	}
	rolloutMetrics(all, m)
	st.write(m)
	if len(kept) == 0 { // every first attempt was right: nothing to reflect on
		m[keyUpdates], m[keyUpdateS] = 0, 0
		return nil
	}
	if _, err := rl.AssignAdvantages(kept, t.advantageConfig()); err != nil {
		return err
	}
	t.maskTruncated(kept, m)
	return t.learnWeighted(ctx, step, kept, trainedTurnOnly(kept), t.clipLossConfig(), m)
}

// samples keeps the episodes whose first attempt failed and that reached the trained turn, one
// sample each (Group = the prompt, every turn a row), with reward 1 if the retry is right, else 0
// (0 too when the context ran out before the retry).
func (r *rrr) samples(step int, trajs []*Trajectory) []rl.Sample {
	var out []rl.Sample
	for _, tr := range trajs {
		if tr.Turns[0].Reward.Correct || len(tr.Turns) <= trainedTurn {
			continue
		}
		retry := tr.Last()
		trained := &tr.Turns[trainedTurn]
		ok := len(tr.Turns) == r.t.env.MaxTurns() && retry.Reward.Correct
		smp := rl.Sample{
			Step: step + 1, PolicyVersion: tr.PolicyVersion, PromptID: tr.Task.ID, Group: tr.Group, Index: tr.Index, Attempt: trainedTurn,
			Correct: ok, Truncated: !trained.Gen.Finished, NumTokens: len(trained.Gen.Tokens),
			PromptText: tr.Task.Prompt, Reward: 0, RewardOK: true,
		}
		if ok {
			smp.Reward = 1
		}
		for _, tu := range tr.Turns {
			smp.Turns = append(smp.Turns, rl.TurnTokens{Context: tu.Context, Tokens: tu.Gen.Tokens, Logp: tu.Gen.LogProbs, Text: tu.Gen.Text})
		}
		out = append(out, smp)
	}
	return out
}

// trainedTurnOnly gives every sample's rows loss weight 1 on the trained turn (the reflection, or
// the retry without one) and 0 on the answers around it.
func trainedTurnOnly(samples []rl.Sample) sampleWeights {
	turns := make([][]float64, len(samples))
	for i := range samples {
		turns[i] = make([]float64, len(samples[i].Turns))
		turns[i][trainedTurn] = 1
	}
	return sampleWeights{turns: turns}
}

// rrrStats counts a step's episodes for the rrr metrics.
type rrrStats struct {
	episodes, firstRight, failed  float64 // first attempts
	retries, retriesRight         float64 // retries after a failed first attempt
	reflections, reflectionTokens float64
	whole                         bool    // add saw whole episodes: after-retry accuracy is known
	afterRetryRight               float64 // whole episodes right at once or after the retry
}

// add counts a whole episode: its first attempt and, when that failed, its retry.
func (s *rrrStats) add(env envs.Env, tr *Trajectory) {
	s.whole = true
	v := attemptVerdicts(env, tr, 2) // a retry cut off by the context is not right
	s.addFirst(v[0])
	if !v[0] {
		s.addRetry(env, tr)
	}
	if v[1] {
		s.afterRetryRight++
	}
}

// addFirst counts a first attempt.
func (s *rrrStats) addFirst(right bool) {
	s.episodes++
	if right {
		s.firstRight++
	} else {
		s.failed++
	}
}

// addRetry counts the reflection and retry of an episode whose first attempt failed.
func (s *rrrStats) addRetry(env envs.Env, tr *Trajectory) {
	s.retries++
	if attemptVerdicts(env, tr, 2)[1] {
		s.retriesRight++
	}
	if envs.IsReflectionTurn(env, trainedTurn) && len(tr.Turns) > trainedTurn {
		s.reflections++
		s.reflectionTokens += float64(len(tr.Turns[trainedTurn].Gen.Tokens))
	}
}

// write logs first_attempt_accuracy, failed_first_attempts, retry_success_rate (right retries /
// retries after a failed first attempt; 0 when there were none), after_retry_accuracy (whole
// episodes only) and, with reflections, reflection_len_mean.
func (s *rrrStats) write(m Metrics) {
	if s.episodes == 0 {
		return
	}
	m[keyFirstAttemptAccuracy] = s.firstRight / s.episodes
	m[keyFailedFirstAttempts] = s.failed
	if s.whole {
		m[keyAfterRetryAccuracy] = s.afterRetryRight / s.episodes
	}
	m[keyRetrySuccessRate] = 0
	if s.retries > 0 {
		m[keyRetrySuccessRate] = s.retriesRight / s.retries
	}
	if s.reflections > 0 {
		m[keyReflectionLenMean] = s.reflectionTokens / s.reflections
	}
}
