package trainers

import (
	"fmt"
	"math"
	"os"

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
		m[keyDatasetSkippedRows] = float64(len(issues))
	}
}

// pluginStderrFile is the run-folder file that keeps the plugins' stderr.
const pluginStderrFile = "plugin-stderr.log"

// openPluginLog sends the env's plugin stderr to <run>/plugin-stderr.log (appended on resume; the
// file exists even when the plugin never writes) and returns the function that detaches and
// closes it. Envs without plugins get a no-op.
func (t *trainer) openPluginLog() (func(), error) {
	r, ok := envs.AsPluginReporter(t.env)
	if !ok {
		return func() {}, nil
	}
	f, err := os.OpenFile(t.path(pluginStderrFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("plugin stderr log: %w", err)
	}
	r.SetPluginStderr(f)
	return func() {
		r.SetPluginStderr(nil)
		f.Close()
	}, nil
}

// pluginMetrics logs the step's plugin calls, failures, timeouts and restarts (plugin_*) and warns
// on the log when some failed.
func (t *trainer) pluginMetrics(step int, m Metrics) {
	r, ok := envs.AsPluginReporter(t.env)
	if !ok {
		return
	}
	now := r.PluginStats()
	d := now.Sub(t.pluginStats)
	t.pluginStats = now
	m[keyPluginCalls] = float64(d.Calls)
	m[keyPluginFailed] = float64(d.Failed)
	m[keyPluginTimeouts] = float64(d.Timeouts)
	m[keyPluginRestarts] = float64(d.Restarts)
	if d.Failed > 0 {
		t.logf("warning: step %d: %d of %d plugin calls failed (%d timed out, %d plugin processes restarted); those samples were excluded; the plugin's stderr is in %s",
			step+1, d.Failed, d.Calls, d.Timeouts, d.Restarts, t.path(pluginStderrFile))
	}
}

// warnEvalFailed says on the log how many held-out episodes could not be graded.
func (t *trainer) warnEvalFailed(what string, em EvalMetrics) {
	if f := em[evalFailedKey]; f > 0 {
		t.logf("warning: %s: %d of %d held-out episodes could not be graded (left out of the accuracy)", what, int(f), int(em[evalTasks]))
	}
}

// accuracyOrZero is em's accuracy, or 0 when no episode could be graded (NaN): the best accuracy
// to beat then starts from 0.
func accuracyOrZero(em EvalMetrics) float64 {
	if math.IsNaN(em[evalAccuracy]) {
		return 0
	}
	return em[evalAccuracy]
}
