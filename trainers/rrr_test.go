package trainers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"grit/envs"
	"grit/policy"
	"grit/rewards"
	"grit/rl"
)

// rrrTestTrainer is a model-less trainer whose env is the reflect-and-retry form of a two-attempt
// correction env (reflect false: retry without reflection).
func rrrTestTrainer(t *testing.T, reflect bool) (*trainer, *rrr) {
	t.Helper()
	cfg := Defaults()
	cfg.Algo, cfg.Env = AlgoRRR, "correction"
	cfg.EnvArgs = map[string]any{"base": "arithmetic", "attempts": 2, "instruction": "\nfix:",
		"base_args": map[string]any{"digits_min": 1, "digits_max": 1, "operators": []string{"+"}}}
	cfg.RRR = RRRConfig{Reflect: reflect, ReflectionPrompt: "?", MaxReflectionTokens: 3, Group: RRRGroupPrompt}
	env, err := envs.New(cfg.Env, cfg.EnvArgs)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trainer{cfg: cfg, env: env}
	r, err := newRRR(tr)
	if err != nil {
		t.Fatal(err)
	}
	return tr, r
}

// rrrSamples is what an rrr step with rrr.group prompt makes of whole episodes: the trained
// samples and the step's statistics.
func rrrSamples(r *rrr, trajs []*Trajectory) ([]rl.Sample, rrrStats) {
	var st rrrStats
	for _, tr := range trajs {
		st.add(r.t.env, tr)
	}
	return r.samples(0, trajs), st
}

// rrrEpisode is an episode of prompt group g, sample i: turns given as (tokens generated, verdict);
// a reflection turn has verdict nil and no reward components.
func rrrEpisode(g, i int, turns ...[2]any) *Trajectory {
	tr := &Trajectory{Task: envs.Task{ID: "q" + string(rune('0'+g))}, Group: g, Index: i}
	for k, tu := range turns {
		n := tu[0].(int)
		toks, lps := make([]int, n), make([]float32, n)
		for j := range toks {
			toks[j], lps[j] = 4+k, -1
		}
		et := EpisodeTurn{Context: []int{1, 2}, Gen: policy.Generation{Tokens: toks, LogProbs: lps, Finished: true}}
		if v, graded := tu[1].(bool); graded {
			r := 0.0
			if v {
				r = 1
			}
			et.Reward = rewards.Result{Components: []rewards.Component{{Name: "correct", Value: r, OK: true}}, Correct: v}
		}
		tr.Turns = append(tr.Turns, et)
	}
	return tr
}

// rrrGroups are two prompts of a step (a turn is {tokens, verdict}, nil verdict = reflection):
//
//	q0 s0  right at once                          (not trained)
//	q0 s1  wrong, reflection 2 tokens, retry right  r = 1
//	q0 s2  wrong, reflection 1 token,  retry wrong  r = 0
//	q0 s3  wrong, reflection 3 tokens, retry right  r = 1
//	q1 s0  wrong, reflection 2 tokens, retry wrong  r = 0
//	q1 s1  wrong, reflection 3 tokens, no room left for the retry: r = 0
func rrrGroups() []*Trajectory {
	return []*Trajectory{
		rrrEpisode(0, 0, [2]any{2, true}),
		rrrEpisode(0, 1, [2]any{2, false}, [2]any{2, nil}, [2]any{2, true}),
		rrrEpisode(0, 2, [2]any{2, false}, [2]any{1, nil}, [2]any{2, false}),
		rrrEpisode(0, 3, [2]any{2, false}, [2]any{3, nil}, [2]any{2, true}),
		rrrEpisode(1, 0, [2]any{2, false}, [2]any{2, nil}, [2]any{2, false}),
		rrrEpisode(1, 1, [2]any{2, false}, [2]any{3, nil}),
	}
}

// TestRRRAdvantagesHandTable checks the reflection rewards, GRPO advantages and step metrics of
// rrrGroups against hand-computed values. Group q0's reflections have rewards 1, 0, 1: mean 2/3,
// Bessel std sqrt(((1/3)^2 + (2/3)^2 + (1/3)^2) / 2) = sqrt(1/3) = 0.5773503, so with eps 1e-4
//
//	A = (1 - 2/3) / 0.5774503 = 0.5772503,   A = (0 - 2/3) / 0.5774503 = -1.1545006;
//
// group q1's rewards are 0, 0: advantage 0. Metrics over the 6 episodes: first-attempt accuracy
// 1/6, after-retry accuracy 3/6, 5 failed first attempts, retry success 2/5, reflection length
// (2+1+3+2+3)/5 = 2.2 tokens.
func TestRRRAdvantagesHandTable(t *testing.T) {
	tr, r := rrrTestTrainer(t, true)
	samples, st := rrrSamples(r, rrrGroups())
	if _, err := rl.AssignAdvantages(samples, tr.advantageConfig()); err != nil {
		t.Fatal(err)
	}
	wantIndex := []int{1, 2, 3, 0, 1}
	wantGroup := []int{0, 0, 0, 1, 1}
	wantReward := []float64{1, 0, 1, 0, 0}
	wantAdv := []float64{0.5772502865, -1.154500573, 0.5772502865, 0, 0}
	if len(samples) != 5 {
		t.Fatalf("%d samples, want 5 (the failed first attempts with a reflection)", len(samples))
	}
	for i, s := range samples {
		if s.Index != wantIndex[i] || s.Group != wantGroup[i] || s.Reward != wantReward[i] || !s.RewardOK {
			t.Errorf("sample %d: index %d group %d reward %g ok %v; want %d %d %g true", i, s.Index, s.Group, s.Reward, s.RewardOK,
				wantIndex[i], wantGroup[i], wantReward[i])
		}
		wantClose(t, "advantage", s.Advantage, wantAdv[i], 1e-9)
	}
	m := Metrics{}
	st.write(m)
	for k, want := range map[string]float64{keyFirstAttemptAccuracy: 1.0 / 6, keyAfterRetryAccuracy: 0.5,
		keyFailedFirstAttempts: 5, keyRetrySuccessRate: 0.4, keyReflectionLenMean: 2.2} {
		wantClose(t, k, m[k], want, 1e-12)
	}
}

// Without reflection the retry is turn 2 and is the trained turn: rewards are the retries'
// verdicts (episode q1 s1, cut before its retry, has reward 0), and no reflection length is logged.
func TestRRRWithoutReflectionTrainsTheRetry(t *testing.T) {
	tr, r := rrrTestTrainer(t, false)
	if tr.env.MaxTurns() != 2 || envs.IsReflectionTurn(tr.env, 1) {
		t.Fatalf("retry-only env: %d turns, turn 2 a reflection: %v", tr.env.MaxTurns(), envs.IsReflectionTurn(tr.env, 1))
	}
	trajs := []*Trajectory{
		rrrEpisode(0, 0, [2]any{2, false}, [2]any{2, true}),
		rrrEpisode(0, 1, [2]any{2, false}, [2]any{2, false}),
		rrrEpisode(0, 2, [2]any{2, true}),
		rrrEpisode(0, 3, [2]any{2, false}),
	}
	samples, st := rrrSamples(r, trajs)
	if len(samples) != 2 || samples[0].Reward != 1 || samples[1].Reward != 0 {
		t.Fatalf("samples %+v; want two, rewards 1 and 0", samples)
	}
	m := Metrics{}
	st.write(m)
	if _, ok := m[keyReflectionLenMean]; ok || m[keyRetrySuccessRate] != 1.0/3 || m[keyFirstAttemptAccuracy] != 0.25 {
		t.Errorf("metrics %v; want retry success 1/3, first-attempt accuracy 1/4, no reflection length", m)
	}
}

// Only the reflection tokens get a gradient: through the row weights and rl.PolicyLoss (clip loss,
// dapo), every token of a first attempt or a retry has dL/dlogp exactly 0, and every reflection
// token of a sample has dL/dlogp = -A / N (rho = 1, N = 11 reflection
// tokens: the answer rows leave the normaliser too).
func TestRRRAnswerTokensGetNoGradient(t *testing.T) {
	tr, r := rrrTestTrainer(t, true)
	samples, _ := rrrSamples(r, rrrGroups())
	if _, err := rl.AssignAdvantages(samples, tr.advantageConfig()); err != nil {
		t.Fatal(err)
	}
	rw := lossRows(samples, trainedTurnOnly(samples))
	wantRows := []float64{0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1}
	if !reflect.DeepEqual(rw.loss, wantRows) {
		t.Fatalf("row loss weights %v, want %v", rw.loss, wantRows)
	}
	mb, err := rl.MiniBatchFromSamples(samples)
	if err != nil {
		t.Fatal(err)
	}
	mb.Rows = make([]int, mb.Len())
	for b := range mb.Rows {
		mb.Rows[b] = b
	}
	rw.apply(&mb)
	lc := tr.clipLossConfig()
	lc.Beta = 0
	lc.GenerationTokens = mb.Tokens()
	if lc.GenerationTokens != 11 {
		t.Fatalf("%d loss tokens, want 11 (the reflections: 2+1+3+2+3)", lc.GenerationTokens)
	}
	logp := make([][]float32, mb.Len())
	for b := range logp {
		logp[b] = mb.OldLogp[b]
	}
	res, err := rl.PolicyLoss(lc, mb, logp, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := 0
	for i, s := range samples {
		for k := range s.Turns {
			for j, d := range res.DLogp[row] {
				want := 0.0
				if k == trainedTurn {
					want = -s.Advantage / 11
				}
				if math.Abs(float64(d)-want) > 1e-7 {
					t.Errorf("sample %d turn %d token %d: dL/dlogp %g, want %g", i, k+1, j, d, want)
				}
			}
			row++
		}
	}
}

// tinyRRRConfig is tinyRunConfig as rrr on one-digit sums, with groups of kind group.
func tinyRRRConfig(group RRRGroup) Config {
	cfg := interruptConfig()
	cfg.Algo, cfg.Env = AlgoRRR, "correction"
	cfg.EnvArgs = map[string]any{"base": "arithmetic", "attempts": 2, "instruction": "\nfix:",
		"base_args": map[string]any{"digits_min": 1, "digits_max": 1, "operators": []string{"+"}}}
	cfg.Model.Context = 32
	cfg.Beta = rrrBeta
	cfg.RRR = RRRConfig{Reflect: true, ReflectionPrompt: "?", MaxReflectionTokens: 3, Group: group}
	return cfg
}

// An interrupted rrr run resumes to the uninterrupted run's metrics and weights, bit for bit, with
// either kind of group.
func TestRRRInterruptResumesExactly(t *testing.T) {
	for _, g := range RRRGroups {
		t.Run(string(g), func(t *testing.T) { rrrResumesExactly(t, tinyRRRConfig(g)) })
	}
}

func rrrResumesExactly(t *testing.T, cfg Config) {
	straight := uninterrupted(t, cfg)
	ms := readMetrics(t, straight)
	if _, ok := ms[0][keyRetrySuccessRate]; !ok {
		t.Fatalf("step 1 logged no %s: %v", keyRetrySuccessRate, ms[0])
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
		if phase == phaseSampled && step == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted run returned %v, want ErrInterrupted", err)
	}
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true}); err != nil {
		t.Fatal(err)
	}
	sameRun(t, straight, dir)
}

// Bad rrr settings are errors that name the key and say what to do.
func TestRRRConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.RRR.ReflectionPrompt = "" }, "rrr.reflection_prompt"},
		{func(c *Config) { c.RRR.MaxReflectionTokens = 0 }, "rrr.max_reflection_tokens"},
		{func(c *Config) { c.RRR.Group = "episode" }, "rrr.group"},
		{func(c *Config) { c.RRR.Group, c.DynamicSampling = RRRGroupAttempt, true }, "dynamic_sampling"},
		{func(c *Config) { c.Algo = AlgoSCoRe; c.SCoRe.AttemptReward = SCoReFinalReward }, "score.alpha=0"},
		{func(c *Config) {
			c.Algo = AlgoSCoRe
			c.SCoRe.AttemptReward, c.SCoRe.Alpha, c.SCoRe.Stage1Steps = SCoReFinalReward, 0, 5
		}, "score.stage1_steps=0"},
		{func(c *Config) { c.Algo = AlgoSCoRe; c.SCoRe.Alpha = 0 }, "score.alpha"},
		{func(c *Config) { c.Algo = AlgoSCoRe; c.SCoRe.AttemptReward = "last" }, "score.attempt_reward"},
	} {
		cfg := DefaultsFor("rrr")
		tc.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %q", err, tc.want)
		}
	}
	cfg := DefaultsFor("rrr") // the default env is arithmetic, a single-turn env
	cfg.Init = "../configs/base/arithmetic"
	if err := Prepare(cfg); err == nil || !strings.Contains(err.Error(), "use env correction") {
		t.Errorf("rrr on arithmetic: %v; want an error that says to use env correction", err)
	}
	cfg.Env, cfg.EnvArgs = "correction", map[string]any{"base": "arithmetic", "attempts": 3}
	if err := Prepare(cfg); err == nil || !strings.Contains(err.Error(), "attempts: 2") {
		t.Errorf("rrr on three attempts: %v; want an error that says attempts: 2", err)
	}
	if got := AlgoDefaults("rrr"); !reflect.DeepEqual(got, map[string]any{"beta": 0.001}) {
		t.Errorf("AlgoDefaults(rrr) = %v, want beta 0.001 (the paper's KL coefficient)", got)
	}
}

// Evaluation grades attempts, not reflections: on reflect-and-retry episodes Acc@t1 is the first
// attempt, Acc@t2 the retry (or the first attempt when it was right), and retry_success the share
// of wrong first attempts that the retry fixed.
func TestAttemptVerdictsSkipReflections(t *testing.T) {
	tr, _ := rrrTestTrainer(t, true)
	for i, tc := range []struct {
		traj *Trajectory
		want []bool
	}{
		{rrrGroups()[0], []bool{true, true}},
		{rrrGroups()[1], []bool{false, true}},
		{rrrGroups()[2], []bool{false, false}},
		{rrrGroups()[5], []bool{false, false}},
	} {
		if got := attemptVerdicts(tr.env, tc.traj, 2); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("episode %d: verdicts %v, want %v", i, got, tc.want)
		}
		if evalFailed(tr.env, tc.traj) {
			t.Errorf("episode %d: counted as failed; its reflection has no reward but is not graded", i)
		}
	}
}

// retriesAfterFailure plays 4 sampled episodes (temperature 1) of each of the first 40 held-out
// tasks of two-digit addition with the shipped SCoRe base policy, as reflect-and-retry episodes
// with the given reflection prompt ("" = retry at once), and counts the wrong first attempts and
// the right retries after them.
func retriesAfterFailure(t *testing.T, reflection string) (failed, fixed int) {
	t.Helper()
	pol, err := policy.LoadPolicy("../configs/base/score")
	if err != nil {
		t.Fatal(err)
	}
	base, err := envs.New("correction", map[string]any{"base": "arithmetic", "attempts": 2, "instruction": "\nrecheck:",
		"base_args": map[string]any{"digits_min": 2, "digits_max": 2, "operators": []string{"+"}}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := envs.ReflectRetry(base, envs.ReflectRetryOptions{Reflection: reflection, ReflectionTokens: 3})
	if err != nil {
		t.Fatal(err)
	}
	p := &player{pol: pol, env: env, opts: policy.SampleOptions{MaxNewTokens: 6, Temperature: 1}}
	trajs, err := p.play(context.Background(), env.Tasks().HeldOut()[:40], 4, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trajs {
		if v := attemptVerdicts(env, tr, 2); !v[0] {
			failed++
			if v[1] {
				fixed++
			}
		}
	}
	return failed, fixed
}

// The SCoRe base policy never saw a reflection: its sampled retry fixes 40 of 119 wrong first
// attempts when it follows at once, but 1 of 119 after "\nwhy:" and a reflection of up to 3
// tokens (RESULTS.md, "RRR": why RRR cannot learn from this base). The counts are exact for this
// seed; a change of the kernels' summation order may move them, and then RESULTS.md with them.
func TestSCoReBaseRetriesWorseAfterAReflection(t *testing.T) {
	failedPlain, fixedPlain := retriesAfterFailure(t, "")
	failedWhy, fixedWhy := retriesAfterFailure(t, "\nwhy:")
	if failedPlain != 119 || fixedPlain != 40 || failedWhy != 119 || fixedWhy != 1 {
		t.Errorf("right retries / wrong first attempts: %d/%d at once, %d/%d after a reflection; want 40/119 and 1/119",
			fixedPlain, failedPlain, fixedWhy, failedWhy)
	}
}

// With rrr.group attempt, a prompt's group is G episodes that replay one failed first attempt (the
// first wrong one of the prompt's G first attempts) and sample their own reflections and retries.
func TestRRRAttemptGroupsShareOneFailedAttempt(t *testing.T) {
	cfg := tinyRRRConfig(RRRGroupAttempt)
	tr, err := prepare(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	r := tr.algo.(*rrr)
	var st rrrStats
	m := Metrics{}
	samples, err := r.collectFailureGroups(context.Background(), 0, m, &st)
	if err != nil {
		t.Fatal(err)
	}
	if st.episodes != float64(cfg.PromptsPerStep*cfg.NumGenerations) || st.failed == 0 || st.retries != float64(len(samples)) {
		t.Fatalf("stats %+v with %d samples; want %d first attempts, some failed, one retry per sample",
			st, len(samples), cfg.PromptsPerStep*cfg.NumGenerations)
	}
	byGroup := map[int][]rl.Sample{}
	for _, s := range samples {
		byGroup[s.Group] = append(byGroup[s.Group], s)
	}
	if len(byGroup) == 0 || m[keyGroups] != float64(len(byGroup)) {
		t.Fatalf("%d groups, metrics say %v", len(byGroup), m[keyGroups])
	}
	for g, group := range byGroup {
		if len(group) != cfg.NumGenerations {
			t.Errorf("group %d has %d samples, want G = %d", g, len(group), cfg.NumGenerations)
		}
		y1 := group[0].Turns[0]
		ep, _ := tr.env.Reset(envs.Task{ID: group[0].PromptID, Prompt: group[0].PromptText, Answer: answerOf(t, tr.env, group[0].PromptID)})
		if res, err := ep.Step(y1.Text); err != nil || res.Reward.Correct {
			t.Errorf("group %d replays first attempt %q, which is right (%v); want a failed one", g, y1.Text, err)
		}
		for i, s := range group {
			if !reflect.DeepEqual(s.Turns[0].Tokens, y1.Tokens) || !reflect.DeepEqual(s.Turns[0].Logp, y1.Logp) || s.Index != i {
				t.Errorf("group %d sample %d: first turn %v (index %d), want the replayed %v", g, i, s.Turns[0].Tokens, s.Index, y1.Tokens)
			}
		}
	}
}

// answerOf finds the answer of a training task by ID among the one-digit sums.
func answerOf(t *testing.T, env envs.Env, id string) string {
	t.Helper()
	a, b := 0, 0
	if _, err := fmt.Sscanf(id, "%d+%d", &a, &b); err != nil {
		t.Fatalf("task id %q is not a sum: %v", id, err)
	}
	return fmt.Sprint(a + b)
}
