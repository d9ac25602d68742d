package trainers

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// What ended a run: summary.json's stopped_by holds one of these.
const (
	stoppedBySteps    = "steps"              // every configured step ran (a rule is not checked at the last step)
	stoppedByTarget   = "stop.target"        // stop.metric reached stop.target
	stoppedByPatience = "stop.patience"      // stop.metric did not improve for stop.patience checks
	stoppedByTime     = "stop.time_budget_s" // elapsed_total_s reached the budget
)

// stopState is the part of loopState the stop rules keep, so a resumed run continues the
// patience count and knows whether a rule already ended it.
type stopState struct {
	StopBest      float64 `json:"stop_best,omitempty"`       // best value of stop.metric so far
	StopHaveBest  bool    `json:"stop_have_best,omitempty"`  // whether StopBest is set
	StopSinceBest int     `json:"stop_since_best,omitempty"` // checks since StopBest improved
	StoppedBy     string  `json:"stopped_by,omitempty"`      // the rule that ended the run; "" while it runs
	StopReason    string  `json:"stop_reason,omitempty"`     // the rule's values, for people
}

// elapsedTotal is elapsed_total_s: wall time of this process's part of the run plus the time the
// run had spent before it was resumed (as of the checkpoint it resumed from).
func (t *trainer) elapsedTotal() float64 {
	return t.elapsedBefore + time.Since(t.start).Seconds()
}

// seedStopFromBase checks an evaluation stop.metric against the starting policy's evaluation
// (a key it does not log is a config error, found before step 1) and makes that evaluation the
// first patience check ("no better than the base for K evals").
func (t *trainer) seedStopFromBase(base EvalMetrics) error {
	sc := t.cfg.Stop
	name, ok := strings.CutPrefix(sc.Metric, evalKeyPrefix)
	if !ok || (sc.Target == 0 && sc.Patience == 0) {
		return nil
	}
	v, found := base[name]
	if !found {
		keys := make([]string, 0, len(base))
		for k := range base {
			keys = append(keys, evalKey(k))
		}
		sort.Strings(keys)
		return fmt.Errorf("stop.metric: the evaluation logs no %q; evaluation keys: %s", sc.Metric, strings.Join(keys, ", "))
	}
	if sc.Patience > 0 && !math.IsNaN(v) {
		t.st.StopBest, t.st.StopHaveBest = v, true
	}
	return nil
}

// timeBudgetSpent reports whether stop.time_budget_s has run out.
func (t *trainer) timeBudgetSpent() (reason string, spent bool) {
	budget := t.cfg.Stop.TimeBudgetS
	if budget <= 0 {
		return "", false
	}
	if e := t.elapsedTotal(); e >= budget {
		return fmt.Sprintf("elapsed_total_s %.1f >= stop.time_budget_s %g", e, budget), true
	}
	return "", false
}

// checkMetricRules applies the target and patience rules to the step's metrics line m (step is
// the 1-based step number). A step that does not log stop.metric is not a check, except that an
// evaluation step must log it: a key that even an evaluation step lacks is a config error.
func (t *trainer) checkMetricRules(step int, evaluated bool, m Metrics) (rule, reason string, err error) {
	sc := t.cfg.Stop
	if sc.Target == 0 && sc.Patience == 0 {
		return "", "", nil
	}
	v, ok := m[sc.Metric]
	if !ok {
		if evaluated {
			return "", "", fmt.Errorf("stop.metric: %q is not logged at step %d, an evaluation step; use one of %s",
				sc.Metric, step, strings.Join(sortedKeys(m), ", "))
		}
		return "", "", nil
	}
	if math.IsNaN(v) {
		return "", "", nil
	}
	better := func(a, b float64) bool { return a > b } // mode max
	reached := v >= sc.Target
	if sc.Mode == "min" {
		better = func(a, b float64) bool { return a < b }
		reached = v <= sc.Target
	}
	if sc.Target != 0 && reached {
		cmp := ">="
		if sc.Mode == "min" {
			cmp = "<="
		}
		return stoppedByTarget, fmt.Sprintf("%s %.4g %s stop.target %g at step %d", sc.Metric, v, cmp, sc.Target, step), nil
	}
	if sc.Patience == 0 {
		return "", "", nil
	}
	improved := !t.st.StopHaveBest || better(v, t.st.StopBest+signed(sc.Mode, sc.MinDelta))
	if improved {
		t.st.StopBest, t.st.StopHaveBest, t.st.StopSinceBest = v, true, 0
		return "", "", nil
	}
	t.st.StopSinceBest++
	if t.st.StopSinceBest >= sc.Patience {
		return stoppedByPatience, fmt.Sprintf("%s has not improved on %.4g for %d checks (stop.patience %d, stop.min_delta %g) at step %d",
			sc.Metric, t.st.StopBest, t.st.StopSinceBest, sc.Patience, sc.MinDelta, step), nil
	}
	return "", "", nil
}

// signed is the improvement threshold's offset from the best value: +d when higher is better,
// -d when lower is.
func signed(mode string, d float64) float64 {
	if mode == "min" {
		return -d
	}
	return d
}

func sortedKeys(m Metrics) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
