package main

import (
	"bytes"
	"strings"
	"testing"

	"grit/trainers"
)

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
