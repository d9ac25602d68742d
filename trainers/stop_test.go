package trainers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"grit/policy"
)

// stopRef is a run of cfg without stop rules: the reference the rules are checked against.
func stopRef(t *testing.T, cfg Config) []map[string]any {
	t.Helper()
	cfg.Stop = Defaults().Stop
	return readMetrics(t, uninterrupted(t, cfg))
}

// runStopped runs cfg twice and requires both runs to stop at wantStep by rule, with the same
// metrics and weights; it returns one run's folder and summary.
func runStopped(t *testing.T, cfg Config, wantStep int, rule string) (string, *Summary) {
	t.Helper()
	var dirs []string
	var sum *Summary
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		s, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if s.StoppedBy != rule || s.Steps != wantStep {
			t.Fatalf("run %d stopped by %q after %d steps (%s); want %q after %d", i+1, s.StoppedBy, s.Steps, s.StopReason, rule, wantStep)
		}
		if n := len(readMetrics(t, dir)); n != wantStep {
			t.Fatalf("metrics.jsonl has %d lines, want %d", n, wantStep)
		}
		onDisk := readSummary(t, dir)
		if onDisk["stopped_by"] != rule || onDisk["steps"] != float64(wantStep) {
			t.Fatalf("summary.json stopped_by %v steps %v; want %q, %d", onDisk["stopped_by"], onDisk["steps"], rule, wantStep)
		}
		if st := checkpointState(t, filepath.Join(dir, "checkpoints", "latest")); st.Step != wantStep || st.StoppedBy != rule {
			t.Fatalf("final checkpoint is of step %d stopped by %q; want %d, %q", st.Step, st.StoppedBy, wantStep, rule)
		}
		dirs, sum = append(dirs, dir), s
	}
	sameRun(t, dirs[0], dirs[1])
	return dirs[0], sum
}

func readSummary(t *testing.T, dir string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// stop.target on a per-step metric stops at the first step that reaches it (read off a run
// without rules), evaluates the final policy there, and a --resume afterwards runs no step.
func TestStopTargetStopsAtTheFirstStepThatReachesIt(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 10, 4, 4
	ref := stopRef(t, cfg)
	// target: the highest reward_mean of steps 1..9, so the rule fires before the last step
	target, want := 0.0, 0
	for i := 0; i < 9; i++ {
		target = math.Max(target, ref[i]["reward_mean"].(float64))
	}
	for i, m := range ref {
		if m["reward_mean"].(float64) >= target {
			want = i + 1
			break
		}
	}
	if target <= 0 || want >= cfg.Steps {
		t.Skipf("the reference run's reward_mean never rises above 0 before the last step: %v", ref)
	}
	cfg.Stop.Metric, cfg.Stop.Target = "reward_mean", target
	dir, s := runStopped(t, cfg, want, stoppedByTarget)
	got := readMetrics(t, dir)
	for i := 0; i < want-1; i++ {
		if !reflect.DeepEqual(got[i], ref[i]) {
			t.Fatalf("step %d differs from the run without rules:\n got %v\nwant %v", i+1, got[i], ref[i])
		}
	}
	if _, ok := got[want-1]["eval_accuracy"]; !ok {
		t.Errorf("the step the rule fired at has no evaluation of the final policy: %v", got[want-1])
	}
	if _, ok := s.Final["accuracy"]; !ok {
		t.Errorf("summary has no final evaluation: %v", s.Final)
	}

	weights := finalWeights(t, dir)
	r, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.StoppedBy != stoppedByTarget || r.Steps != want || len(readMetrics(t, dir)) != want {
		t.Fatalf("resume after the stop: stopped by %q after %d steps, %d metric lines; want nothing more after step %d",
			r.StoppedBy, r.Steps, len(readMetrics(t, dir)), want)
	}
	if !bytes.Equal(weights, finalWeights(t, dir)) {
		t.Fatal("resume after the stop changed the final weights")
	}
}

// stop.patience on SFT's loss (mode min): the run stops at the first step whose loss is not
// below the best so far by min_delta for `patience` checks in a row, computed here from a run
// without rules.
func TestStopPatienceOnSFTLoss(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Algo, cfg.SFT.BatchSize, cfg.LR = "sft", 8, 3e-3
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 30, 10, 10
	ref := stopRef(t, cfg)
	const patience, minDelta = 2, 0.05
	want, best, since := 0, 0.0, 0
	for i, m := range ref {
		v := m["loss"].(float64)
		if i == 0 || v < best-minDelta {
			best, since = v, 0
			continue
		}
		if since++; since >= patience {
			want = i + 1
			break
		}
	}
	if want == 0 || want >= cfg.Steps {
		t.Skipf("the reference loss keeps improving by %g: no patience stop to test", minDelta)
	}
	cfg.Stop.Metric, cfg.Stop.Mode, cfg.Stop.Patience, cfg.Stop.MinDelta = "loss", "min", patience, minDelta
	runStopped(t, cfg, want, stoppedByPatience)
}

// stop.patience on eval_accuracy counts evaluations only, the base evaluation being the first.
func TestStopPatienceCountsEvaluations(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 12, 2, 2
	ref := stopRef(t, cfg)
	dir := t.TempDir()
	base := readSummaryAfter(t, cfg, dir)
	best, since, want := base, 0, 0
	for i, m := range ref {
		v, ok := m["eval_accuracy"].(float64)
		if !ok {
			continue
		}
		if v > best {
			best, since = v, 0
			continue
		}
		if since++; since >= 2 {
			want = i + 1
			break
		}
	}
	if want == 0 || want >= cfg.Steps {
		t.Skip("eval_accuracy keeps improving in the reference run")
	}
	cfg.Stop.Patience = 2
	runStopped(t, cfg, want, stoppedByPatience)
}

// readSummaryAfter runs cfg with steps: 0 and returns the base policy's held-out accuracy.
func readSummaryAfter(t *testing.T, cfg Config, dir string) float64 {
	t.Helper()
	cfg.Steps = 0
	s, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s.Base["accuracy"]
}

// A spent time budget ends the run after the step in flight, with a final evaluation and
// checkpoint; elapsed_total_s carries over a resume.
func TestStopTimeBudget(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 6, 0, 0
	cfg.Stop.TimeBudgetS = 1e-9 // spent before step 1 ends
	dir := t.TempDir()
	s, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if s.StoppedBy != stoppedByTime || s.Steps != 1 {
		t.Fatalf("stopped by %q after %d steps; want %q after 1", s.StoppedBy, s.Steps, stoppedByTime)
	}
	lines := readAllMetrics(t, dir)
	if len(lines) != 1 || lines[0]["eval_accuracy"] == nil {
		t.Fatalf("want one metrics line with the final evaluation, got %v", lines)
	}
	el, tot := lines[0]["elapsed_s"].(float64), lines[0]["elapsed_total_s"].(float64)
	if !(el > 0 && tot == el) {
		t.Errorf("fresh run: elapsed_s %v, elapsed_total_s %v; want equal and > 0", el, tot)
	}
	if st := checkpointState(t, filepath.Join(dir, "checkpoints", "latest")); st.Step != 1 || st.ElapsedS < tot {
		t.Errorf("final checkpoint: step %d, elapsed %v; want step 1 and >= %v", st.Step, st.ElapsedS, tot)
	}
}

// A resumed run's elapsed_total_s adds the time before the resume (as of the checkpoint it
// resumed from); its elapsed_s starts again at 0.
func TestElapsedTotalCountsTimeBeforeTheResume(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 4, 0, 2
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
		if phase == phaseLogged && step == 2 {
			cancel()
		}
	}}
	if _, err := Run(ctx, cfg, opts); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("want ErrInterrupted, got %v", err)
	}
	before := checkpointState(t, filepath.Join(dir, "checkpoints", "latest")).ElapsedS
	first := readAllMetrics(t, dir)
	if len(first) != 2 || before < first[1]["elapsed_total_s"].(float64) {
		t.Fatalf("checkpoint after step 2 holds elapsed %v; the metrics say %v", before, first)
	}
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true}); err != nil {
		t.Fatal(err)
	}
	lines := readAllMetrics(t, dir)
	for _, m := range lines[2:] {
		el, tot := m["elapsed_s"].(float64), m["elapsed_total_s"].(float64)
		if math.Abs(tot-el-before) > 0.05 || el >= tot {
			t.Errorf("step %v after the resume: elapsed_s %v, elapsed_total_s %v; want elapsed_total_s = %v + elapsed_s", m["step"], el, tot, before)
		}
	}
}

// The rules are config: a run interrupted before its rule fires stops, after --resume, at the
// step an uninterrupted run stops at, with the same metrics and weights (the patience count
// travels in the checkpoint).
func TestStopRulesSurviveAResume(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Algo, cfg.SFT.BatchSize, cfg.LR = "sft", 8, 3e-3
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 30, 10, 10
	cfg.Stop.Metric, cfg.Stop.Mode, cfg.Stop.Patience, cfg.Stop.MinDelta = "loss", "min", 2, 0.05
	straight := uninterrupted(t, cfg)
	want := len(readMetrics(t, straight))
	if want < 4 || want == cfg.Steps {
		t.Skipf("the patience rule fires at step %d of %d: nothing to interrupt before it", want, cfg.Steps)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopAt := want - 1 // one check short of patience 2: the count is 1 here
	opts := RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
		if phase == phaseLogged && step == stopAt {
			cancel()
		}
	}}
	if _, err := Run(ctx, cfg, opts); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("want ErrInterrupted, got %v", err)
	}
	if st := checkpointState(t, filepath.Join(dir, "checkpoints", "latest")); st.StopSinceBest != 1 || !st.StopHaveBest {
		t.Fatalf("checkpoint at step %d holds patience count %d (best set %v); want 1", st.Step, st.StopSinceBest, st.StopHaveBest)
	}
	s, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.StoppedBy != stoppedByPatience || s.Steps != want {
		t.Fatalf("resumed run stopped by %q after %d steps; the uninterrupted one by %q after %d", s.StoppedBy, s.Steps, stoppedByPatience, want)
	}
	sameRun(t, straight, dir)
}

// An evaluation stop.metric that the evaluation does not log is refused before step 1, naming
// the key and listing the ones there are.
func TestStopMetricMustBeLogged(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Stop.Metric, cfg.Stop.Target = "eval_acuracy", 0.5
	dir := t.TempDir()
	_, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
	if err == nil || !strings.Contains(err.Error(), `stop.metric: the evaluation logs no "eval_acuracy"`) || !strings.Contains(err.Error(), "eval_accuracy") {
		t.Fatalf("want an error naming stop.metric and listing eval_accuracy, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "metrics.jsonl")); err == nil {
		t.Error("a step ran before the bad stop.metric was reported")
	}
}
