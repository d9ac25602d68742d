package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"

	"grit/trainers"
)

// printReport is the end-of-run summary: base vs final held-out accuracy, where the run folder is,
// how to resume, how to read the rollouts.
func printReport(w io.Writer, cfg trainers.Config, sum *trainers.Summary, dir string) {
	fmt.Fprintf(w, "\n%s finished: %d steps on %s\n", cfg.Algo, cfg.Steps, cfg.Env)
	if sum != nil {
		base, final := metric(sum.Base, "accuracy"), metric(sum.Final, "accuracy")
		fmt.Fprintf(w, "  held-out accuracy   base %s  ->  final %s", percent(base), percent(final))
		if gain := 100 * (final - base); !math.IsNaN(gain) {
			fmt.Fprintf(w, "   (%+.1f points)", gain)
		}
		fmt.Fprintln(w)
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
	fmt.Fprintf(w, "  run folder          %s  (config.yaml, metrics.jsonl, summary.json, report.html, tb/, plots/, rollouts/, checkpoints/)\n", dir)
	fmt.Fprintf(w, "  report              %s   (open in a browser; several runs: %s view RUN RUN ...)\n", filepath.Join(dir, "report.html"), train)
	fmt.Fprintf(w, "  plots               %s\n", filepath.Join(dir, "plots", "*.svg"))
	fmt.Fprintf(w, "  tensorboard         tensorboard --logdir %s\n", filepath.Join(dir, "tb"))
	fmt.Fprintf(w, "  resume              %s --resume %s   (after an interruption; Ctrl-C checkpoints first)\n", train, dir)
	fmt.Fprintf(w, "  evaluate            %s eval %s --pass-k 8\n", train, dir)
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
