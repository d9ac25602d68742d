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
		if sum.BestStep > 0 {
			fmt.Fprintf(w, "  best held-out       %s at step %d (checkpoints/best)\n", percent(sum.BestAccuracy), sum.BestStep)
		}
	}
	fmt.Fprintf(w, "  run folder          %s  (config.yaml, metrics.jsonl, summary.json, plots/, rollouts/, checkpoints/)\n", dir)
	fmt.Fprintf(w, "  plots               %s\n", filepath.Join(dir, "plots", "{reward,accuracy}.svg"))
	fmt.Fprintf(w, "  resume              train --resume %s   (after an interruption; Ctrl-C checkpoints first)\n", dir)
	fmt.Fprintf(w, "  evaluate            train eval --checkpoint %s --env %s --pass-k 8\n",
		filepath.Join(dir, "checkpoints", "best"), cfg.Env)
	fmt.Fprintf(w, "  rollouts (Arrow)    %s\n", rolloutsHint(dir))
}

// printInterrupted says how to continue a run stopped by Ctrl-C.
func printInterrupted(w io.Writer, dir string) {
	fmt.Fprintf(w, "\nstopped: a checkpoint was written at the last finished step.\n")
	fmt.Fprintf(w, "  continue with   train --resume %s\n", dir)
	fmt.Fprintf(w, "  run folder      %s\n", dir)
}

// rolloutsHint is a one-liner that opens the newest rollout file with pyarrow.
func rolloutsHint(dir string) string {
	glob := filepath.Join(dir, "rollouts", "*.arrow")
	return fmt.Sprintf(`python3 -c "import glob, pyarrow as pa; t = pa.ipc.open_file(sorted(glob.glob('%s'))[-1]).read_all(); print(t.schema); print(t.slice(0, 4).to_pylist())"`, glob)
}

func metric(m trainers.EvalMetrics, key string) float64 {
	if v, ok := m[key]; ok {
		return v
	}
	return math.NaN()
}
