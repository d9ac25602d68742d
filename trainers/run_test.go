package trainers

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl/store"
)

// tinyRunConfig is a fast GRPO run from a fresh, very small model.
func tinyRunConfig() Config {
	cfg := Defaults()
	cfg.Init = ""
	cfg.Model.DModel, cfg.Model.NHeads, cfg.Model.NLayers, cfg.Model.MLPHidden, cfg.Model.Context = 32, 2, 1, 64, 24
	cfg.EnvArgs = map[string]any{"digits_min": 1, "digits_max": 1, "operators": []string{"+"}}
	cfg.Steps = 6
	cfg.PromptsPerStep = 4
	cfg.NumGenerations = 4
	cfg.MiniBatchSize = 8
	cfg.NumIterations = 2
	cfg.Beta = 0.04
	cfg.LR = 1e-3
	cfg.EvalEvery = 2
	cfg.EvalTasks = 10 // the whole held-out split of one-digit sums
	cfg.CheckpointEvery = 2
	return cfg
}

// readMetrics loads metrics.jsonl without timing fields.
func readMetrics(t *testing.T, dir string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if IsTimingKey(k) {
				delete(m, k)
			}
		}
		out = append(out, m)
	}
	return out
}

func TestRunWritesRunFolder(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyRunConfig()
	s, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Base["accuracy"]; !ok {
		t.Fatalf("summary base lacks accuracy: %v", s.Base)
	}
	for _, p := range []string{"metrics.jsonl", "summary.json", "rollouts/step-000001.arrow", "rollouts/step-000006.arrow",
		"checkpoints/latest/model.safetensors", "checkpoints/latest/optimizer.safetensors", "checkpoints/best/model.safetensors",
		"plots/reward.svg", "plots/accuracy.svg", "rollouts.parquet"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("run folder lacks %s: %v", p, err)
		}
	}
	ms := readMetrics(t, dir)
	if len(ms) != cfg.Steps {
		t.Fatalf("metrics.jsonl has %d lines, want %d", len(ms), cfg.Steps)
	}
	for _, k := range []string{"step", "reward_mean", "reward_std", "reward/correct_mean", "accuracy", "kl", "entropy",
		"clip_frac", "completion_len_mean", "groups_dropped", "lr", "loss"} {
		if _, ok := ms[0][k]; !ok {
			t.Errorf("metrics line lacks %q: %v", k, ms[0])
		}
	}
	if _, ok := ms[1]["eval_accuracy"]; !ok {
		t.Errorf("step 1 (eval_every 2) lacks eval_accuracy")
	}
}

func TestResumeGivesTheSameMetrics(t *testing.T) {
	cfg := tinyRunConfig()
	straight := t.TempDir()
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: straight}); err != nil {
		t.Fatal(err)
	}
	// Interrupt after step 3 (an odd step: not a checkpoint_every boundary), then resume.
	cut := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Run(ctx, cfg, RunOptions{OutDir: cut, Progress: func(r StepReport) {
		if r.Step == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted run returned %v, want ErrInterrupted", err)
	}
	if n := len(readMetrics(t, cut)); n != 3 {
		t.Fatalf("interrupted run logged %d steps, want 3", n)
	}
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: cut, Resume: true}); err != nil {
		t.Fatal(err)
	}
	// the resumed process numbers its policy versions on from the checkpoint: step s has s-1
	if n := assertSynchronousPolicyVersions(t, cut); n != cfg.Steps*cfg.PromptsPerStep*cfg.NumGenerations {
		t.Errorf("checked the policy version of %d samples, want %d", n, cfg.Steps*cfg.PromptsPerStep*cfg.NumGenerations)
	}
	a, b := readMetrics(t, straight), readMetrics(t, cut)
	if !reflect.DeepEqual(a, b) {
		for i := range a {
			if i < len(b) && !reflect.DeepEqual(a[i], b[i]) {
				t.Fatalf("step %d differs after resume:\n straight %v\n resumed  %v", i, a[i], b[i])
			}
		}
		t.Fatalf("resumed run has %d metric lines, straight %d", len(b), len(a))
	}
}

func TestSameSeedSameMetricsOnOneOrTwoThreads(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps = 3
	var runs [2][]map[string]any
	for i, threads := range []int{1, 2} {
		cfg.Threads = threads
		dir := t.TempDir()
		if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir}); err != nil {
			t.Fatal(err)
		}
		runs[i] = readMetrics(t, dir)
	}
	if !reflect.DeepEqual(runs[0], runs[1]) {
		t.Fatalf("metrics differ between 1 and 2 threads:\n%v\n%v", runs[0], runs[1])
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Algo = "score"
	cfg.SCoRe.Alpha = 0
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "score.alpha") {
		t.Fatalf("alpha 0: %v", err)
	}
	cfg = tinyRunConfig()
	cfg.Algo = "score"
	cfg.SCoRe.Beta2 = -0.1
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "score.beta") {
		t.Fatalf("negative beta2: %v", err)
	}
	cfg = tinyRunConfig()
	cfg.Algo, cfg.Env = "score", "correction"
	cfg.EnvArgs = map[string]any{"base": "arithmetic", "attempts": 1}
	_, err := Run(context.Background(), cfg, RunOptions{OutDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "attempts") {
		t.Fatalf("one attempt: %v", err)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("an env settings error should be a ConfigError: %T", err)
	}
	cfg = tinyRunConfig()
	cfg.Algo = "score"
	_, err = Run(context.Background(), cfg, RunOptions{OutDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "multi-attempt") {
		t.Fatalf("score on a single-turn env: %v", err)
	}
	cfg = tinyRunConfig()
	cfg.LossType = "ppo"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "loss_type") {
		t.Fatalf("bad loss_type: %v", err)
	}
}

// Steps are numbered 1..steps everywhere: metrics.jsonl's "step", the eval steps (every
// eval_every), summary.json's best_step, the rollout files and their step column.
func TestStepsAreNumberedFromOne(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps, cfg.EvalEvery = 4, 2
	dir := t.TempDir()
	s, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	evalAt := map[float64]float64{}
	for i, m := range readMetrics(t, dir) {
		if m["step"] != float64(i+1) {
			t.Errorf("metrics line %d has step %v, want %d", i+1, m["step"], i+1)
		}
		if acc, ok := m["eval_accuracy"].(float64); ok {
			evalAt[m["step"].(float64)] = acc
		}
	}
	if len(evalAt) != 2 || !contains(evalAt, 2) || !contains(evalAt, 4) {
		t.Errorf("eval_every 2 should evaluate at steps 2 and 4, got %v", evalAt)
	}
	if s.BestStep != 0 && evalAt[float64(s.BestStep)] != s.BestAccuracy {
		t.Errorf("best_step %d (accuracy %v) does not match metrics.jsonl's evals %v", s.BestStep, s.BestAccuracy, evalAt)
	}
	for step := 1; step <= cfg.Steps; step++ {
		rec, err := store.ReadStepFile(memory.DefaultAllocator, store.StepFilePath(dir, step))
		if err != nil {
			t.Fatal(err)
		}
		_, samples, err := store.RecordSamples(rec)
		rec.Release()
		if err != nil || len(samples) == 0 || samples[0].Step != step {
			t.Fatalf("rollouts of step %d: %v, step column %v", step, err, samples[0].Step)
		}
	}
	if n := assertSynchronousPolicyVersions(t, dir); n != cfg.Steps*cfg.PromptsPerStep*cfg.NumGenerations {
		t.Errorf("checked the policy version of %d samples, want %d", n, cfg.Steps*cfg.PromptsPerStep*cfg.NumGenerations)
	}
}

func contains(m map[float64]float64, k float64) bool { _, ok := m[k]; return ok }
