package trainers

import (
	"grit/envs"
)

// maxIssuesLogged bounds the skipped dataset rows listed on the log at start-up.
const maxIssuesLogged = 5

// skippedRows returns the env's skipped dataset rows, and false when it reads no dataset.
func skippedRows(env envs.Env) ([]envs.LoadIssue, bool) {
	r, ok := env.(envs.IssueReporter)
	if !ok {
		return nil, false
	}
	issues := r.Skipped()
	return issues, issues != nil
}

// reportSkippedRows logs how many dataset rows were skipped and the first few as file:line: reason.
func (t *trainer) reportSkippedRows() {
	issues, ok := skippedRows(t.env)
	if !ok || len(issues) == 0 {
		return
	}
	t.logf("warning: %d dataset rows were skipped (on_error: skip); the first %d:", len(issues), min(len(issues), maxIssuesLogged))
	for _, is := range issues[:min(len(issues), maxIssuesLogged)] {
		t.logf("  %v", is)
	}
}

// skippedRowMetrics adds dataset_skipped_rows to m when the env reads a dataset.
func (t *trainer) skippedRowMetrics(m Metrics) {
	if issues, ok := skippedRows(t.env); ok {
		m["dataset_skipped_rows"] = float64(len(issues))
	}
}
