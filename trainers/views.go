package trainers

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"grit/rl"
	"grit/trainers/report"
	"grit/trainers/tensorboard"
)

// runViews are the ways a run shows itself besides metrics.jsonl: TensorBoard event files in
// RUN/tb/, report.html (at every evaluation and at the end), and sampled completions on the
// console. None of them draws random numbers or changes a metric, and a failure is a warning in the
// log, never a failed run.
type runViews struct {
	tb          *tensorboard.Writer
	tbFailed    bool
	reportTime  time.Duration         // spent writing report.html and its step scripts
	steps       *report.StepWriter    // the report's rollout scripts, appended step by step
	metrics     *report.MetricsWriter // the report's metrics script, appended step by step
	metricsOff  bool                  // it failed (warned once)
	stepsFailed bool                  // a step script could not be written (warned once)
	reports     int
	lastSamples []rl.Sample // the step's stored samples, until afterStep (read only)
}

// afterStep runs after the step's metrics line was written.
func (t *trainer) afterStep(m Metrics) {
	t.writeTensorBoard(m)
	t.appendReportMetrics(m)
	if n := t.cfg.LogCompletionsEvery; n > 0 && (t.st.Step%n == 0 || t.st.Step == t.cfg.Steps) {
		t.logCompletions(t.st.Step)
	}
	t.views.lastSamples = nil
	if _, evaluated := m["eval_s"]; evaluated {
		t.writeReport()
	}
}

// afterRun runs once the run finished (summary.json written): the final report.
func (t *trainer) afterRun() {
	if t.views.steps != nil {
		if err := t.views.steps.Close(); err != nil {
			t.logf("warning: %s: rollout scripts: %v", report.FileName, err)
		}
	}
	if t.views.metrics != nil {
		if err := t.views.metrics.Close(); err != nil {
			t.logf("warning: %s: metrics: %v", report.FileName, err)
		}
	}
	t.writeReport()
	v := &t.views
	if total := time.Since(t.start); v.reports > 0 && total > 0 {
		t.logf("report %s (written %d times in %.2fs, %.2f%% of the run)", t.path(report.FileName),
			v.reports, v.reportTime.Seconds(), 100*v.reportTime.Seconds()/total.Seconds())
	}
}

func (t *trainer) writeTensorBoard(m Metrics) {
	v := &t.views
	if v.tbFailed {
		return
	}
	if v.tb == nil {
		w, err := tensorboard.Create(t.path("tb"), time.Now())
		if err != nil {
			v.tbFailed = true
			t.logf("warning: no TensorBoard events: %v", err)
			return
		}
		v.tb = w
	}
	if err := v.tb.WriteScalars(int64(m["step"]), time.Now(), m); err != nil {
		v.tbFailed = true
		t.logf("warning: TensorBoard events stopped: %v", err)
	}
}

// rolloutsStored runs once a step's rollouts are in their Arrow file: the same samples are
// appended to the report's rollout script of their chunk (report/steps-N.js), so the report never
// reads rollouts back.
func (t *trainer) rolloutsStored(samples []rl.Sample) {
	t.views.lastSamples = samples // for logCompletions after the step (read only)
	start := time.Now()
	if t.views.steps == nil {
		t.views.steps = report.NewStepWriter(t.dir)
	}
	err := t.views.steps.Write(samples, t.pol.Tokenizer())
	t.views.reportTime += time.Since(start)
	if err != nil && !t.views.stepsFailed {
		t.views.stepsFailed = true
		t.logf("warning: %s: rollout scripts: %v", report.FileName, err)
	}
}

// appendReportMetrics adds the step's metrics line to report/metrics.js, which the first call
// (re)builds from metrics.jsonl, this step's line included.
func (t *trainer) appendReportMetrics(m Metrics) {
	v := &t.views
	if v.metricsOff {
		return
	}
	start := time.Now()
	defer func() { v.reportTime += time.Since(start) }()
	var err error
	if v.metrics == nil {
		v.metrics, err = report.OpenMetrics(t.dir)
	} else {
		var line []byte
		if line, err = json.Marshal(m); err == nil {
			err = v.metrics.Append(line)
		}
	}
	if err != nil {
		v.metricsOff = true
		t.logf("warning: %s: metrics: %v", report.FileName, err)
	}
}

func (t *trainer) writeReport() {
	start := time.Now()
	err := report.WritePage(t.dir)
	t.views.reportTime += time.Since(start)
	t.views.reports++
	if err != nil {
		t.logf("warning: %s: %v", report.FileName, err)
	}
}

// completionsShown is how many completions logCompletions prints.
const completionsShown = 3

// columnser is implemented by a log writer that knows its terminal's width.
type columnser interface{ Columns() int }

// logCompletions prints a few of the step's completions (the samples just stored), one line each:
// prompt, completion (all turns), verdict and reward with its components, cut to the terminal
// width. done is the number of steps done. The samples are picked by position (groups spread over
// the step, a different sample of each group every time), not by a random draw, so the run's random
// streams are untouched.
func (t *trainer) logCompletions(done int) {
	samples := t.views.lastSamples
	t.views.lastSamples = nil
	if len(samples) == 0 {
		return // sft samples nothing
	}
	width := 120
	if c, ok := t.log.(columnser); ok && c.Columns() > 0 {
		width = c.Columns()
	}
	t.logf("completions at step %d of %d:", done, t.cfg.Steps)
	for _, s := range pickSamples(samples, completionsShown, done) {
		t.logf("%s", cutToWidth(completionLine(s), width))
	}
}

// pickSamples takes k samples from groups spread evenly over the step; the sample within each
// group rotates with the step.
func pickSamples(samples []rl.Sample, k, step int) []rl.Sample {
	var groups [][]rl.Sample
	at := map[int]int{}
	for _, s := range samples {
		i, ok := at[s.Group]
		if !ok {
			i = len(groups)
			at[s.Group] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], s)
	}
	k = min(k, len(groups))
	out := make([]rl.Sample, 0, k)
	for i := range k {
		g := groups[i*len(groups)/k]
		out = append(out, g[(step+i)%len(g)])
	}
	return out
}

// completionLine is "  ✓ 1.000 [correct=1 format=0.5] 12+34= → 46": verdict, reward, components,
// prompt and completion with newlines shown as ⏎ and turns joined by " | ".
func completionLine(s rl.Sample) string {
	verdict := "✗"
	if s.Correct {
		verdict = "✓"
	}
	reward := "  —  "
	if s.RewardOK {
		reward = fmt.Sprintf("%.3f", s.Reward)
	}
	var comps []string
	for _, c := range s.Components {
		if c.OK {
			comps = append(comps, fmt.Sprintf("%s=%.3g", c.Name, c.Value))
		} else {
			comps = append(comps, c.Name+"=failed")
		}
	}
	turns := make([]string, len(s.Turns))
	for i, tu := range s.Turns {
		turns[i] = tu.Text
	}
	flat := strings.NewReplacer("\n", "⏎", "\r", "", "\t", " ")
	return fmt.Sprintf("  %s %s [%s] %s → %s", verdict, reward, strings.Join(comps, " "),
		flat.Replace(s.PromptText), flat.Replace(strings.Join(turns, " | ")))
}

// cutToWidth shortens line to width characters, ending in … when cut.
func cutToWidth(line string, width int) string {
	r := []rune(line)
	if width < 2 || len(r) <= width {
		return line
	}
	return string(r[:width-1]) + "…"
}
