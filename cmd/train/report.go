package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"grit/trainers"
)

// printReport is the end-of-run summary: base vs final held-out accuracy, where the run folder is,
// how to resume, how to read the rollouts.
func printReport(w io.Writer, cfg trainers.Config, sum *trainers.Summary, dir string) {
	if sum != nil && sum.StoppedBy != "" && sum.StoppedBy != "steps" {
		fmt.Fprintf(w, "\n%s stopped after %d of %d steps on %s by %s: %s\n", cfg.Algo, sum.Steps, cfg.Steps, cfg.Env, sum.StoppedBy, sum.StopReason)
	} else {
		fmt.Fprintf(w, "\n%s finished: %d steps on %s\n", cfg.Algo, cfg.Steps, cfg.Env)
	}
	if sum != nil {
		base, final := metric(sum.Base, "accuracy"), metric(sum.Final, "accuracy")
		fmt.Fprintf(w, "  held-out accuracy   base %s  ->  final %s", percent(base), percent(final))
		if gain := 100 * (final - base); !math.IsNaN(gain) {
			fmt.Fprintf(w, "   (%+.1f points)", gain)
		}
		fmt.Fprintln(w)
		if metric(sum.Base, "failed") > 0 || metric(sum.Final, "failed") > 0 {
			fmt.Fprintf(w, "  failed evaluations  base %d  ->  final %d of %d held-out tasks (reward not computed; left out of the accuracy; see %s)\n",
				int(metric(sum.Base, "failed")), int(metric(sum.Final, "failed")), int(metric(sum.Final, "tasks")), filepath.Join(dir, "plugin-stderr.log"))
		}
		if sum.DatasetSkippedRows != nil && *sum.DatasetSkippedRows > 0 {
			fmt.Fprintf(w, "  dataset rows        %d skipped as malformed (on_error: skip; listed at start-up)\n", *sum.DatasetSkippedRows)
		}
		if _, ok := sum.Final["delta_t1_t2"]; ok { // multi-attempt env: SCoRe's self-correction metrics
			fmt.Fprintf(w, "  Acc@t1 / Acc@t2     base %s / %s  ->  final %s / %s\n",
				percent(metric(sum.Base, "acc_t1")), percent(metric(sum.Base, "acc_t2")),
				percent(metric(sum.Final, "acc_t1")), percent(metric(sum.Final, "acc_t2")))
			fmt.Fprintf(w, "  Delta(t1,t2)        base %+.1f  ->  final %+.1f points (c->i %s -> %s)\n",
				100*metric(sum.Base, "delta_t1_t2"), 100*metric(sum.Final, "delta_t1_t2"),
				percent(metric(sum.Base, "delta_c_to_i")), percent(metric(sum.Final, "delta_c_to_i")))
		}
		if metric(sum.Base, "tool_calls_mean") > 0 || metric(sum.Final, "tool_calls_mean") > 0 {
			fmt.Fprintf(w, "  tool calls/episode  base %.2f  ->  final %.2f\n",
				metric(sum.Base, "tool_calls_mean"), metric(sum.Final, "tool_calls_mean"))
		}
		if sum.BestStep > 0 {
			fmt.Fprintf(w, "  best held-out       %s at step %d (checkpoints/best)\n", percent(sum.BestAccuracy), sum.BestStep)
		}
	}
	train := invocation()
	fmt.Fprintf(w, "  run folder          %s  (%s)\n", dir, strings.Join(present(dir, runFolderEntries...), ", "))
	if len(present(dir, "report.html")) > 0 {
		fmt.Fprintf(w, "  report              %s   (open in a browser; several runs: %s view RUN RUN ...)\n", filepath.Join(dir, "report.html"), train)
	}
	if len(present(dir, "plots/")) > 0 {
		fmt.Fprintf(w, "  plots               %s\n", filepath.Join(dir, "plots", "*.svg"))
	}
	if len(present(dir, "tb/")) > 0 {
		fmt.Fprintf(w, "  tensorboard         tensorboard --logdir %s\n", filepath.Join(dir, "tb"))
	}
	if stoppedByRule := sum != nil && sum.StoppedBy != "" && sum.StoppedBy != "steps"; cfg.Steps > 0 && !stoppedByRule {
		fmt.Fprintf(w, "  resume              %s --resume %s   (after an interruption; Ctrl-C checkpoints first)\n", train, dir)
	}
	fmt.Fprintf(w, "  evaluate            %s eval %s --pass-k 8\n", train, dir)
}

// runFolderEntries are what a run folder may hold, in the order the report lists them.
var runFolderEntries = []string{"config.yaml", "metrics.jsonl", "summary.json", "report.html", "tb/", "plots/", "rollouts/", "rollouts.parquet", "checkpoints/"}

// present keeps the entries that exist in dir (a trailing / marks a folder), so the report never
// names a file the run did not write (steps: 0 writes no metrics, rollouts or plots).
func present(dir string, entries ...string) []string {
	var out []string
	for _, e := range entries {
		if fi, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(e, "/"))); err == nil && fi.IsDir() == strings.HasSuffix(e, "/") {
			out = append(out, e)
		}
	}
	return out
}

// printInterrupted says how to continue a run stopped by Ctrl-C.
func printInterrupted(w io.Writer, dir string) {
	fmt.Fprintf(w, "\nstopped: a checkpoint was written at the last finished step.\n")
	fmt.Fprintf(w, "  continue with   %s --resume %s\n", invocation(), dir)
	fmt.Fprintf(w, "  run folder      %s\n", dir)
}

func metric(m trainers.EvalMetrics, key string) float64 {
	if v, ok := m[key]; ok {
		return v
	}
	return math.NaN()
}
