package trainers

import (
	"context"
	"fmt"
	"sort"

	"grit/envs"
	"grit/policy"
)

// heldOut returns the first n held-out tasks (all when n is 0).
func heldOut(env envs.Env, n int) []envs.Task {
	tasks := env.Tasks().HeldOut()
	if n > 0 && n < len(tasks) {
		tasks = tasks[:n]
	}
	return tasks
}

// evaluate plays every task once greedily and summarises:
//
//	failed          episodes whose reward could not be computed on some turn (every component
//	                failed: a plugin call that timed out or crashed, a verifier error); they are
//	                neither right nor wrong, so every accuracy below is over the other episodes
//	accuracy        final-turn correctness (NaN, null in JSON, when every episode failed)
//	acc_t<k>        multi-attempt envs: correctness after attempt k (episodes that ended earlier
//	                keep their last verdict)
//	delta_t1_t2     acc_t2 - acc_t1; delta_i_to_c / delta_c_to_i: fraction of tasks wrong at turn 1
//	                and right at turn 2, and the reverse (SCoRe's self-correction metrics); turns
//	                the env does not grade (a reflection, envs.ReflectionTurns) are not attempts
//	retry_success   reflect-and-retry envs: delta_i_to_c / (1 - acc_t1), the share of wrong first
//	                attempts that the retry gets right (0 when no first attempt was wrong)
//	length_mean     generated tokens per episode; tokens_mean is the same (HDPO's name)
//	tool_calls_mean tool calls per episode
//	accuracy/<d>    accuracy of the tasks whose Meta["difficulty"] is d (and tool_calls_mean/<d>)
//	pass@k          with passK > 0: fraction of tasks solved by at least one of k samples at temperature 1
//	                (over the tasks with some graded sample; pass@k_failed counts the others)
func evaluate(ctx context.Context, pol policy.Policy, codec *promptCodec, env envs.Env, tasks []envs.Task, maxNew, passK int, seed uint64) (EvalMetrics, error) {
	if len(tasks) == 0 {
		return nil, fmt.Errorf("env %s has no held-out tasks to evaluate on", env.Name())
	}
	greedy := &player{pol: pol, env: env, opts: policy.SampleOptions{MaxNewTokens: maxNew, Temperature: 0}, codec: codec}
	trajs, err := greedy.play(ctx, tasks, 1, seed, 0)
	if err != nil {
		return nil, err
	}
	m := EvalMetrics{evalTasks: float64(len(tasks))}
	turns := 1 // attempts graded one by one (Acc@t1, Acc@t2, Delta): only multi-attempt envs
	if ma, ok := env.(envs.MultiAttempt); ok {
		turns = ma.Attempts()
	}
	var correct, length, tools, failed float64
	perTurn := make([]float64, turns)
	var iToC, cToI float64
	byDiff := map[string][3]float64{} // correct, graded tasks, tool calls
	for _, t := range trajs {
		length += float64(t.GeneratedTokens())
		tools += float64(t.ToolCalls())
		if evalFailed(env, t) {
			failed++
			continue
		}
		verdicts := attemptVerdicts(env, t, turns)
		for k, v := range verdicts {
			if v {
				perTurn[k]++
			}
		}
		ok := t.Last().Reward.Correct
		if ok {
			correct++
		}
		if turns >= 2 {
			if !verdicts[0] && verdicts[1] {
				iToC++
			}
			if verdicts[0] && !verdicts[1] {
				cToI++
			}
		}
		if d, has := t.Task.Meta["difficulty"]; has {
			c := byDiff[d]
			c[1]++
			if ok {
				c[0]++
			}
			c[2] += float64(t.ToolCalls())
			byDiff[d] = c
		}
	}
	n := float64(len(tasks))
	m[evalFailedKey] = failed
	m[evalLengthMean] = length / n
	m[evalTokensMean] = length / n
	m[evalToolCallsMean] = tools / n
	n -= failed // accuracies are over the graded episodes
	m[evalAccuracy] = correct / n
	if turns >= 2 {
		for k := range perTurn {
			m[evalAttemptAccKey(k+1)] = perTurn[k] / n
		}
		m[evalDeltaT1T2] = (perTurn[1] - perTurn[0]) / n
		m[evalDeltaIToC] = iToC / n
		m[evalDeltaCToI] = cToI / n
		if _, ok := env.(envs.ReflectionTurns); ok {
			m[evalRetrySuccess] = 0 // retry success among the wrong first attempts (0 when none was wrong)
			if wrong := n - perTurn[0]; wrong > 0 {
				m[evalRetrySuccess] = iToC / wrong
			}
		}
	}
	diffs := make([]string, 0, len(byDiff))
	for d := range byDiff {
		diffs = append(diffs, d)
	}
	sort.Strings(diffs)
	for _, d := range diffs {
		m[evalDifficultyKey(evalAccuracy, d)] = byDiff[d][0] / byDiff[d][1]
		m[evalDifficultyKey(evalTasks, d)] = byDiff[d][1]
		m[evalDifficultyKey(evalToolCallsMean, d)] = byDiff[d][2] / byDiff[d][1]
	}
	if passK > 0 {
		pk, failedTasks, err := passAtK(ctx, pol, codec, env, tasks, maxNew, passK, seed)
		if err != nil {
			return nil, err
		}
		m[passAtKKey(passK, "")] = pk
		m[passAtKKey(passK, "_failed")] = float64(failedTasks)
	}
	return m, nil
}

// attemptVerdicts is the correctness of attempts 1..n of t: its turns in order, without the turns
// env does not grade (a reflection); attempts after the episode ended keep its last verdict (an
// episode that stopped after a right first attempt is right at every attempt).
func attemptVerdicts(env envs.Env, t *Trajectory, n int) []bool {
	var graded []bool
	for k, tu := range t.Turns {
		if !envs.IsReflectionTurn(env, k) {
			graded = append(graded, tu.Reward.Correct)
		}
	}
	out := make([]bool, n)
	for k := range out {
		if len(graded) > 0 {
			out[k] = graded[min(k, len(graded)-1)]
		}
	}
	return out
}

// evalFailed reports whether some graded turn of t (a reflection is not graded) has no computed
// reward component, so its verdict is unknown.
func evalFailed(env envs.Env, t *Trajectory) bool {
	for k, tu := range t.Turns {
		if envs.IsReflectionTurn(env, k) {
			continue
		}
		graded := false
		for _, c := range tu.Reward.Components {
			graded = graded || c.OK
		}
		if !graded {
			return true
		}
	}
	return false
}

// MarshalJSON writes the metrics with sorted keys and non-finite values (an accuracy over no
// graded episode) as null, as metrics.jsonl does.
func (m EvalMetrics) MarshalJSON() ([]byte, error) { return Metrics(m).MarshalJSON() }

// passKBatch bounds the episodes passAtK samples at once, so its memory does not depend on k.
const passKBatch = 256

// passAtK samples up to k episodes per task at temperature 1 and returns the fraction of tasks
// with at least one correct final turn (the unbiased pass@k estimator with n = k samples) among
// the tasks that were graded, and the number of tasks whose every sample failed (no reward
// computed), which are left out of that fraction.
//
// Samples stream in rounds of at most passKBatch episodes: each round takes the next samples of
// the tasks not yet solved, and a task stops being sampled once one of its samples is correct
// (more samples cannot change its outcome). Sample j of task i is episode i*k+j, seeded as when
// all k*tasks episodes were played at once, so the value does not depend on the batching.
// Memory is O(passKBatch + tasks), whatever k.
func passAtK(ctx context.Context, pol policy.Policy, codec *promptCodec, env envs.Env, tasks []envs.Task, maxNew, k int, seed uint64) (float64, int, error) {
	p := &player{pol: pol, env: env, opts: policy.SampleOptions{MaxNewTokens: maxNew, Temperature: 1}, codec: codec}
	seed = streamSeed(seed, "pass@k")
	next := make([]int, len(tasks)) // samples drawn so far, per task
	solved := make([]bool, len(tasks))
	graded := make([]bool, len(tasks)) // at least one sample had a reward
	for {
		open := 0
		for i := range tasks {
			if !solved[i] && next[i] < k {
				open++
			}
		}
		if open == 0 {
			break
		}
		per := max(1, passKBatch/open) // samples per open task in this round
		var specs []episodeSpec
		for i := range tasks {
			if solved[i] || next[i] >= k {
				continue
			}
			for j := next[i]; j < min(k, next[i]+per); j++ {
				specs = append(specs, episodeSpec{Task: tasks[i], Group: i, Index: j, Episode: uint64(i*k + j)})
			}
			next[i] = min(k, next[i]+per)
		}
		for lo := 0; lo < len(specs); lo += passKBatch {
			trajs, err := p.playEpisodes(ctx, specs[lo:min(lo+passKBatch, len(specs))], seed, 0)
			if err != nil {
				return 0, 0, err
			}
			for _, tr := range trajs {
				if !evalFailed(env, tr) {
					graded[tr.Group] = true
				}
				if tr.Last().Reward.Correct {
					solved[tr.Group] = true
				}
			}
		}
	}
	nSolved, failedTasks := 0, 0
	for i := range tasks {
		switch {
		case solved[i]:
			nSolved++
		case !graded[i]:
			failedTasks++
		}
	}
	return float64(nSolved) / float64(len(tasks)-failedTasks), failedTasks, nil
}
