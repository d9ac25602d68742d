package plots

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Metric keys read from metrics.jsonl.
const (
	KeyReward       = "reward_mean"
	KeyAccuracy     = "accuracy"
	KeyEvalAccuracy = "eval_accuracy"
)

// line is one series of a chart: a metric, or a held-out metric (eval_*) whose points are the
// base evaluation at x = 0 and each logged evaluation at x = step+1.
type line struct {
	name  string // legend text
	key   string
	eval  bool
	xs    []float64
	ys    []float64
	multi []series // gap-split training series (eval lines use xs, ys)
}

// chart is one SVG file.
type chart struct {
	file, title, yLabel string
	unitRange           bool // y axis fixed to [0, 1]
	lines               []line
}

// chartsFor lays out the run's charts from the metrics present: each chart lists the lines it has
// data for, and a chart with none is left out (an sft run has no reward chart).
func chartsFor(runDir string, tb *table) []chart {
	base := baseEval(runDir)
	// An evaluation logged at step s is drawn where the policy it measured is: after s+1 steps when
	// metrics.jsonl numbers its first step 0, after s steps when it numbers it 1.
	shift := 0.0
	if len(tb.steps) > 0 && tb.steps[0] == 0 {
		shift = 1
	}
	train := func(name, key string) line { return line{name: name, key: key, multi: []series{tb.series(key)}} }
	held := func(name, key, baseKey string) line {
		l := line{name: name, key: key, eval: true}
		if v, ok := base[baseKey]; ok {
			l.xs, l.ys = append(l.xs, 0), append(l.ys, v)
		}
		xs, ys := tb.series(key).present()
		for i := range xs {
			l.xs, l.ys = append(l.xs, xs[i]+shift), append(l.ys, ys[i])
		}
		return l
	}
	var components []line
	for _, k := range tb.keys {
		if name, ok := strings.CutPrefix(k, "reward/"); ok && strings.HasSuffix(name, "_mean") {
			components = append(components, train(strings.TrimSuffix(name, "_mean"), k))
		}
	}
	specs := []chart{
		{file: "reward.svg", title: "Mean reward per step", yLabel: "reward",
			lines: append([]line{train("total", KeyReward)}, components...)},
		{file: "accuracy.svg", title: "Accuracy", yLabel: "accuracy", unitRange: true,
			lines: []line{train("train (rollouts)", KeyAccuracy), held("held-out (greedy)", KeyEvalAccuracy, "accuracy")}},
		{file: "loss.svg", title: "Loss per step", yLabel: "loss", lines: []line{train("loss", "loss")}},
		{file: "kl.svg", title: "KL to the reference policy", yLabel: "KL", lines: []line{train("kl", "kl")}},
		{file: "entropy.svg", title: "Policy entropy", yLabel: "nats per token", lines: []line{train("entropy", "entropy")}},
		{file: "length.svg", title: "Completion length", yLabel: "tokens",
			lines: []line{train("train (rollouts)", "completion_len_mean"), held("held-out (greedy)", "eval_length_mean", "length_mean")}},
	}
	var out []chart
	for _, c := range specs {
		kept := c.lines[:0]
		for _, l := range c.lines {
			if l.hasData() {
				kept = append(kept, l)
			}
		}
		if len(kept) > 0 {
			c.lines = kept
			out = append(out, c)
		}
	}
	return out
}

func (l line) hasData() bool {
	if l.eval {
		// The base point alone is no curve: held-out lines need one logged evaluation.
		return len(l.xs) > 0 && (len(l.xs) > 1 || l.xs[0] != 0)
	}
	for _, s := range l.multi {
		if xs, _ := s.present(); len(xs) > 0 {
			return true
		}
	}
	return false
}

// baseEval is the starting policy's held-out evaluation: summary.json's "base" for a finished run,
// else the checkpoint state's (a run in progress); nil when neither exists.
func baseEval(runDir string) map[string]float64 {
	for _, p := range []string{"summary.json", "checkpoints/latest/state.json", "checkpoints/best/state.json"} {
		raw, err := os.ReadFile(filepath.Join(runDir, p))
		if err != nil {
			continue
		}
		var v struct {
			Base map[string]float64 `json:"base"`
		}
		if json.Unmarshal(raw, &v) == nil && v.Base != nil {
			return v.Base
		}
	}
	return nil
}

// sortedKeys lists a set's keys in order.
func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
