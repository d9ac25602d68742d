package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/trainers"
)

// A run with steps: 0 writes config.yaml, summary.json and checkpoints/best only; the report must
// not point at metrics, plots or rollouts it never wrote.
func TestReportNamesOnlyWhatTheRunWrote(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"config.yaml", "summary.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "checkpoints", "best"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := trainers.Defaults()
	cfg.Steps = 0
	var out bytes.Buffer
	printReport(&out, cfg, &trainers.Summary{Base: trainers.EvalMetrics{"accuracy": 0.5}, Final: trainers.EvalMetrics{"accuracy": 0.5}}, dir)
	report := out.String()
	if !strings.Contains(report, "(config.yaml, summary.json, checkpoints/)") {
		t.Errorf("report should list exactly config.yaml, summary.json, checkpoints/:\n%s", report)
	}
	for _, never := range []string{"metrics.jsonl", "plots", "rollouts", "--resume"} {
		if strings.Contains(report, never) {
			t.Errorf("report names %q, which a 0-step run does not write:\n%s", never, report)
		}
	}
}

// The end-of-run report says how many held-out evaluations failed and how many dataset rows were
// skipped, and says nothing of either when there were none.
func TestReportShowsFailedEvaluationsAndSkippedRows(t *testing.T) {
	cfg := trainers.Defaults()
	skipped := 4
	sum := &trainers.Summary{
		Base:               trainers.EvalMetrics{"accuracy": 0.5, "tasks": 200, "failed": 3},
		Final:              trainers.EvalMetrics{"accuracy": 0.75, "tasks": 200, "failed": 7},
		DatasetSkippedRows: &skipped,
	}
	var b bytes.Buffer
	printReport(&b, cfg, sum, "runs/x")
	for _, want := range []string{"failed evaluations  base 3  ->  final 7 of 200", "plugin-stderr.log", "4 skipped as malformed"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	clean := &trainers.Summary{Base: trainers.EvalMetrics{"accuracy": 0.5, "failed": 0}, Final: trainers.EvalMetrics{"accuracy": 0.75, "failed": 0}}
	b.Reset()
	printReport(&b, cfg, clean, "runs/x")
	if strings.Contains(b.String(), "failed evaluations") || strings.Contains(b.String(), "skipped") {
		t.Errorf("report of a clean run mentions failures:\n%s", b.String())
	}
}

// A run that a stop rule ended says which rule, at which step, instead of "finished".
func TestReportNamesTheStopRule(t *testing.T) {
	cfg := trainers.Defaults()
	cfg.Steps = 100
	sum := &trainers.Summary{Base: trainers.EvalMetrics{"accuracy": 0.1}, Final: trainers.EvalMetrics{"accuracy": 0.2},
		Steps: 40, StoppedBy: "stop.target", StopReason: "eval_accuracy 0.2 >= stop.target 0.2 at step 40"}
	var b bytes.Buffer
	printReport(&b, cfg, sum, "runs/x")
	want := "grpo stopped after 40 of 100 steps on arithmetic by stop.target: eval_accuracy 0.2 >= stop.target 0.2 at step 40"
	if !strings.Contains(b.String(), want) || strings.Contains(b.String(), "finished") {
		t.Errorf("report lacks %q:\n%s", want, b.String())
	}
	if strings.Contains(b.String(), "--resume") {
		t.Errorf("a run a rule ended has nothing to resume:\n%s", b.String())
	}
	sum.StoppedBy = "steps"
	b.Reset()
	printReport(&b, cfg, sum, "runs/x")
	if !strings.Contains(b.String(), "grpo finished: 100 steps on arithmetic") {
		t.Errorf("a run that ran every step should say finished:\n%s", b.String())
	}
}
