package trainers

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/envs"
	"grit/rewards"
	"grit/rl"
	"grit/rl/store"
)

// flakyEnv is arithmetic whose verifier fails (every component OK false) on about half the
// completions (flakyFails) or on every one (failAll): samples it cannot grade.
type flakyEnv struct {
	envs.Env
	failAll bool
}

type flakyEpisode struct {
	envs.Episode
	env  *flakyEnv
	task envs.Task
}

func (e *flakyEnv) Reset(task envs.Task) (envs.Episode, error) {
	ep, err := e.Env.Reset(task)
	return &flakyEpisode{Episode: ep, env: e, task: task}, err
}

// flakyFails is the flaky env's rule: the completion's length plus the bytes of the answer is odd.
func flakyFails(task envs.Task, completion string) bool {
	n := len(completion)
	for _, c := range []byte(task.Answer) {
		n += int(c)
	}
	return n%2 == 1
}

func (e *flakyEnv) RewardComponents() []string { return []string{"correct"} }

func (ep *flakyEpisode) Step(action string) (envs.StepResult, error) {
	res, err := ep.Episode.Step(action)
	if err == nil && (ep.env.failAll || flakyFails(ep.task, action)) {
		res.Reward = rewards.Result{Components: []rewards.Component{{Name: "correct", Err: "verifier unavailable"}}}
	}
	return res, err
}

func init() {
	for name, all := range map[string]bool{"test_flaky": false, "test_broken": true} {
		envs.Register(name, func(p envs.Params) (envs.Env, error) {
			base, err := envs.New("arithmetic", p)
			return &flakyEnv{Env: base, failAll: all}, err
		})
	}
}

// Weighting one component keeps the others; a name the env does not produce is a config error
// that lists the env's components, before anything is trained.
func TestRewardWeightsAreCheckedBeforeTraining(t *testing.T) {
	for _, name := range []string{"corect", "format"} {
		cfg := tinyRunConfig()
		cfg.RewardWeights = map[string]float64{name: 0.1}
		dir := t.TempDir()
		_, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("reward_weights.%s on arithmetic: want a ConfigError, got %v", name, err)
		}
		for _, want := range []string{"reward_weights." + name, "correct"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if matches, _ := filepath.Glob(filepath.Join(dir, "rollouts", "*.arrow")); len(matches) > 0 {
			t.Errorf("reward_weights.%s: %d steps were trained before the error", name, len(matches))
		}
	}
	cfg := tinyRunConfig()
	cfg.RewardWeights = map[string]float64{"correct": 2}
	if err := CheckRewardWeights(mustEnv(t, cfg), cfg.RewardWeights); err != nil {
		t.Fatalf("reward_weights.correct: %v", err)
	}
}

func mustEnv(t *testing.T, cfg Config) envs.Env {
	t.Helper()
	env, err := envs.New(cfg.Env, cfg.EnvArgs)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// A step whose every sample is excluded warns at once; max_empty_steps of them in a row stop the
// run with an error.
func TestStepsWithEverySampleExcludedStopTheRun(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Env = "test_broken"
	cfg.MaxEmptySteps = 2
	var log bytes.Buffer
	dir := t.TempDir()
	_, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Log: &log})
	if err == nil || !strings.Contains(err.Error(), "max_empty_steps") {
		t.Fatalf("want a max_empty_steps error, got %v", err)
	}
	if n := strings.Count(log.String(), "every sample was excluded"); n != 2 {
		t.Errorf("want 2 warnings in the log, got %d:\n%s", n, log.String())
	}
	if ms := readMetrics(t, dir); len(ms) != 2 {
		t.Errorf("want 2 logged steps before the stop, got %d", len(ms))
	}
}

// Excluded samples (no reward computed) leave the loss and its normaliser, and the batch accuracy
// is over the graded samples only.
func TestExcludedSamplesLeaveTheLossAndTheAccuracy(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Env = "test_flaky"
	cfg.Beta = 0
	dir := t.TempDir()
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	ms := readMetrics(t, dir)
	sawExcluded := false
	for i, m := range ms {
		step := i + 1 // step files are numbered from 1, like metrics.jsonl's step
		rec, err := store.ReadStepFile(memory.DefaultAllocator, store.StepFilePath(dir, step))
		if err != nil {
			t.Fatal(err)
		}
		_, samples, err := store.RecordSamples(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		var graded, correct, excluded, keptTokens, genTokens int
		for _, s := range samples {
			genTokens += completionTokens(s)
			if !s.RewardOK {
				excluded++
				if !s.Masked {
					t.Errorf("step %d: an excluded sample is not masked out of the loss", step)
				}
				continue
			}
			graded++
			keptTokens += completionTokens(s)
			if s.Correct {
				correct++
			}
		}
		sawExcluded = sawExcluded || excluded > 0
		if got := m["samples_excluded"]; got != float64(excluded) {
			t.Errorf("step %d: samples_excluded %v, want %d", step, got, excluded)
		}
		if graded > 0 {
			if got, want := m["accuracy"], float64(correct)/float64(graded); got != want {
				t.Errorf("step %d: accuracy %v, want %v (%d correct of %d graded; %d excluded)", step, got, want, correct, graded, excluded)
			}
		}
		if got, want := m["loss_tokens"], float64(cfg.NumIterations*keptTokens); keptTokens > 0 && got != want {
			t.Errorf("step %d: loss_tokens %v, want %v (num_iterations x %d graded tokens; %d generated)", step, got, want, keptTokens, genTokens)
		}
	}
	if !sawExcluded {
		t.Fatal("the flaky env excluded no sample; the test checks nothing")
	}
}

// completionTokens counts the generated tokens of a sample over all its turns.
func completionTokens(s rl.Sample) int {
	n := 0
	for _, tu := range s.Turns {
		n += len(tu.Tokens)
	}
	return n
}
