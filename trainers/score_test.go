package trainers

import (
	"context"
	"math"
	"testing"

	"grit/envs"
	"grit/policy"
	"grit/rewards"
	"grit/rl"
)

// scoreTrajectory is an episode of prompt group g, sample i, with one one-token attempt per reward.
func scoreTrajectory(g, i int, rs ...float64) *Trajectory {
	tr := &Trajectory{Task: envs.Task{ID: "p" + string(rune('0'+g))}, Group: g, Index: i}
	for _, r := range rs {
		tr.Turns = append(tr.Turns, EpisodeTurn{
			Context: []int{1, 2},
			Gen:     policy.Generation{Tokens: []int{3}, LogProbs: []float32{-1}, Finished: true},
			Reward:  rewards.Result{Components: []rewards.Component{{Name: "correct", Value: r, OK: true}}, Correct: r == 1},
		})
	}
	return tr
}

// threeAttemptSamples splits two prompts x two samples of a k = 3 episode (rewards r1 r2 r3):
//
//	prompt 0: sample 0 (0 1 1), sample 1 (0 0 1);  prompt 1: sample 0 (1 1 0), sample 1 (0 1 1)
func threeAttemptSamples(t *testing.T, s *score, stage1 bool) []rl.Sample {
	t.Helper()
	var out []rl.Sample
	for _, tr := range []*Trajectory{
		scoreTrajectory(0, 0, 0, 1, 1), scoreTrajectory(0, 1, 0, 0, 1),
		scoreTrajectory(1, 0, 1, 1, 0), scoreTrajectory(1, 1, 0, 1, 1),
	} {
		smps, err := s.attemptSamples(0, tr, stage1)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, smps...)
	}
	ac := rl.DefaultAdvantageConfig()
	ac.Estimator = rl.EstimatorDrGRPO // score.estimator reinforce: A = r - mean_G r
	if _, err := rl.AssignAdvantages(out, ac); err != nil {
		t.Fatal(err)
	}
	return out
}

func threeAttemptSCoRe() *score {
	cfg := Defaults()
	cfg.SCoRe.Alpha, cfg.SCoRe.Beta1, cfg.SCoRe.Beta2 = 10, 0.01, 0.1
	return &score{t: &trainer{cfg: cfg}, attempts: 3}
}

// TestSCoReThreeAttemptsHandTable checks k = 3 against hand-computed tables. Samples come in
// episode order, attempts 1..3 of each episode. Group of attempt a (0-based) of prompt g: 3g + a.
//
// Stage II, alpha 10: shaped reward r_1 on attempt 1, r_j + 10 (r_j - r_{j-1}) on attempts 2, 3;
// advantage A = r - mean over the two samples of the same (prompt, attempt) group:
//
//	sample  group  shaped reward          advantage
//	p0 s0   0 1 2  0   1+10=11   1+0=1     0    5.5  -5
//	p0 s1   0 1 2  0   0         1+10=11   0   -5.5   5
//	p1 s0   3 4 5  1   1+0=1     0-10=-10  0.5 -5    -5.5
//	p1 s1   3 4 5  0   1+10=11   1+0=1    -0.5  5     5.5
//
// Stage I: raw rewards, attempt 1's advantage forced to 0, KL factor beta2/beta1 = 10 on attempt 1
// and 1 elsewhere, loss weights all 1:
//
//	p0: 0 0.5 0 | 0 -0.5 0     p1: 0 0 -0.5 | 0 0 0.5
func TestSCoReThreeAttemptsHandTable(t *testing.T) {
	s := threeAttemptSCoRe()
	wantGroup := []int{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}
	wantAttempt := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
	wantIndex := []int{0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1}

	two := threeAttemptSamples(t, s, false)
	wantReward := []float64{0, 11, 1, 0, 0, 11, 1, 1, -10, 0, 11, 1}
	wantAdv := []float64{0, 5.5, -5, 0, -5.5, 5, 0.5, -5, -5.5, -0.5, 5, 5.5}
	if len(two) != 12 {
		t.Fatalf("%d samples, want 12 (4 episodes x 3 attempts)", len(two))
	}
	for i, smp := range two {
		if smp.Group != wantGroup[i] || smp.Attempt != wantAttempt[i] || smp.Index != wantIndex[i] {
			t.Errorf("sample %d: group %d attempt %d index %d, want %d %d %d", i, smp.Group, smp.Attempt, smp.Index,
				wantGroup[i], wantAttempt[i], wantIndex[i])
		}
		if smp.Reward != wantReward[i] || smp.Advantage != wantAdv[i] {
			t.Errorf("stage II sample %d: reward %g advantage %g, want %g %g", i, smp.Reward, smp.Advantage, wantReward[i], wantAdv[i])
		}
	}
	w, beta, err := s.stageWeights(two, false)
	if err != nil || beta != 0.01 || w.loss != nil || w.kl != nil {
		t.Errorf("stage II weights %+v beta %g (%v); want none and beta1 0.01", w, beta, err)
	}

	one := threeAttemptSamples(t, s, true)
	w, beta, err = s.stageWeights(one, true)
	if err != nil {
		t.Fatal(err)
	}
	wantAdv1 := []float64{0, 0.5, 0, 0, -0.5, 0, 0, 0, -0.5, 0, 0, 0.5}
	wantKL := []float64{10, 1, 1, 10, 1, 1, 10, 1, 1, 10, 1, 1}
	if beta != 0.01 || w.loss != nil || len(w.kl) != 12 {
		t.Fatalf("stage I: beta %g, loss weights %v, %d KL factors; want 0.01, none, 12", beta, w.loss, len(w.kl))
	}
	for i, smp := range one {
		if smp.Group != wantGroup[i] || smp.Advantage != wantAdv1[i] || math.Abs(w.kl[i]-wantKL[i]) > 1e-12 {
			t.Errorf("stage I sample %d: group %d advantage %g KL factor %g, want %d %g %g",
				i, smp.Group, smp.Advantage, w.kl[i], wantGroup[i], wantAdv1[i], wantKL[i])
		}
	}
}

// TestSCoReStageIEntropyBonusIsNotScaledByKL runs Stage I's per-row factors through the loss: with
// an entropy bonus, every row's entropy term keeps weight 1 (the bonus is -c agg(H) over all rows)
// while attempt 1's KL term gets beta2. All rows: one token, logp = old = ref (k3 = 0, dk3 = 0),
// H = 1, dapo with 12 generation tokens, c = 0.1: entropy loss -0.1 and dL/dH = -0.1/12 per token.
func TestSCoReStageIEntropyBonusIsNotScaledByKL(t *testing.T) {
	s := threeAttemptSCoRe()
	one := threeAttemptSamples(t, s, true)
	w, beta, err := s.stageWeights(one, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range one {
		one[i].Turns[0].RefLogp = []float32{-1}
	}
	mb, err := rl.MiniBatchFromSamples(one)
	if err != nil {
		t.Fatal(err)
	}
	mb.Rows = make([]int, mb.Len())
	for b := range mb.Rows {
		mb.Rows[b] = b
	}
	rowWeights{loss: perRow(one, w.loss), kl: perRow(one, w.kl)}.apply(&mb)
	lc := rl.DefaultLossConfig()
	lc.Kind, lc.LossType, lc.GenerationTokens, lc.Beta, lc.EntropyCoef = rl.KindReinforce, rl.LossTypeDAPO, 12, beta, 0.1
	logp, ent := make([][]float32, 12), make([][]float32, 12)
	for b := range logp {
		logp[b], ent[b] = []float32{-1}, []float32{1}
	}
	res, err := rl.PolicyLoss(lc, mb, logp, ent)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Stats.EntropyLoss+0.1) > 1e-12 {
		t.Errorf("entropy loss %g, want -0.1 (weight 1 on every row)", res.Stats.EntropyLoss)
	}
	for b := range res.DEntropy {
		if math.Abs(float64(res.DEntropy[b][0])+0.1/12) > 1e-8 {
			t.Errorf("row %d (attempt %d): dL/dH %g, want %g", b, one[b].Attempt, res.DEntropy[b][0], -0.1/12)
		}
	}
	for b, k := range mb.KLWeight {
		if want := map[bool]float64{true: 10, false: 1}[one[b].Attempt == 0]; math.Abs(k-want) > 1e-12 {
			t.Errorf("row %d (attempt %d): KL factor %g, want %g", b, one[b].Attempt, k, want)
		}
	}
}

// TestSCoReThreeAttemptsRun trains two steps (one per stage) with k = 3 and an entropy bonus: each
// step has prompts_per_step x 3 advantage groups and logs the mean reward of every attempt.
func TestSCoReThreeAttemptsRun(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Algo, cfg.Env = "score", "correction"
	cfg.EnvArgs = map[string]any{"base": "arithmetic", "attempts": 3, "instruction": "\nfix:",
		"base_args": map[string]any{"digits_min": 1, "digits_max": 1, "operators": []string{"+"}}}
	cfg.Model.Context = 48
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 2, 0, 0
	cfg.SCoRe.Stage1Steps = 1
	cfg.EntropyCoef = 0.01
	dir := t.TempDir()
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	ms := readMetrics(t, dir)
	if len(ms) != 2 {
		t.Fatalf("%d metric lines, want 2", len(ms))
	}
	for step, m := range ms {
		if g, want := m["groups"], float64(3*cfg.PromptsPerStep); g != want {
			t.Errorf("step %d: %v advantage groups, want %v (one per prompt and attempt)", step, g, want)
		}
		for _, k := range []string{"reward_t1_mean", "reward_t2_mean", "reward_t3_mean", "loss"} {
			if v, ok := m[k].(float64); !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("step %d: %s = %v, want a finite number", step, k, m[k])
			}
		}
		if m["stage"] != float64(step+1) {
			t.Errorf("step %d: stage %v, want %d", step, m["stage"], step+1)
		}
	}
}

// The learning-rate schedule's length counts k rows per episode: 16 prompts x 8 samples x 3
// attempts = 384 rows, 3 mini-batches of 128 per step, 60 steps x 1 epoch = 180 optimiser steps.
func TestSCoReThreeAttemptsScheduleLength(t *testing.T) {
	s := threeAttemptSCoRe()
	s.t.cfg.Steps, s.t.cfg.PromptsPerStep, s.t.cfg.NumGenerations, s.t.cfg.MiniBatchSize, s.t.cfg.NumIterations = 60, 16, 8, 128, 1
	if n := s.totalOptSteps(); n != 180 {
		t.Errorf("%d optimiser steps, want 180", n)
	}
}

// TestSCoReFinalRewardIsNaiveMultiTurnRL: with score.attempt_reward final every attempt is trained
// on the episode's last reward r_3 (no bonus), each in its own (prompt, attempt) group:
//
//	prompt 0: r_3 = 1, 1 -> every attempt's advantage 0;  prompt 1: r_3 = 0, 1 -> -0.5, +0.5
func TestSCoReFinalRewardIsNaiveMultiTurnRL(t *testing.T) {
	s := threeAttemptSCoRe()
	s.t.cfg.SCoRe.AttemptReward, s.t.cfg.SCoRe.Alpha = SCoReFinalReward, 0
	got := threeAttemptSamples(t, s, false)
	wantReward := []float64{1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}
	wantAdv := []float64{0, 0, 0, 0, 0, 0, -0.5, -0.5, -0.5, 0.5, 0.5, 0.5}
	for i, smp := range got {
		if smp.Reward != wantReward[i] || smp.Advantage != wantAdv[i] || !smp.RewardOK {
			t.Errorf("sample %d (attempt %d): reward %g advantage %g ok %v, want %g %g true",
				i, smp.Attempt+1, smp.Reward, smp.Advantage, smp.RewardOK, wantReward[i], wantAdv[i])
		}
	}
}
