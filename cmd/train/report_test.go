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
