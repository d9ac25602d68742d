package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// comparedMetric is the metric the pairwise tests compare: final held-out accuracy.
const comparedMetric = "accuracy"

// sweepComparison is Welch's t-test of one metric between variants A and B (diff = A - B).
type sweepComparison struct {
	Metric string `json:"metric"`
	A      string `json:"a"`
	B      string `json:"b"`
	welchResult
}

// pairwiseWelch tests every pair of variants (in report order) that both report metric over at
// least two seeds.
func pairwiseWelch(rep sweepReport, metric string) []sweepComparison {
	var out []sweepComparison
	for i, a := range rep.Variants {
		for _, b := range rep.Variants[i+1:] {
			ma, okA := a.Metrics[metric]
			mb, okB := b.Metrics[metric]
			if !okA || !okB {
				continue
			}
			if r, ok := welchTest(ma.Values, mb.Values); ok {
				out = append(out, sweepComparison{Metric: metric, A: a.Name, B: b.Name, welchResult: r})
			}
		}
	}
	return out
}

// comparisonMarkdown is the table of pairwise tests; p < 0.05 is marked (uncorrected for the
// number of pairs: with k pairs, Bonferroni asks for p < 0.05/k).
func comparisonMarkdown(cs []sweepComparison) string {
	if len(cs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Pairwise Welch t-tests (%s)\n\n", cs[0].Metric)
	fmt.Fprintf(&b, "Two-sided p-values, not corrected for the %d comparisons (Bonferroni at 5%%: p < %.4f).\n\n",
		len(cs), 0.05/float64(len(cs)))
	b.WriteString("| A | B | mean(A) - mean(B) | t | df | p | p < 0.05 |\n|---|---|---|---|---|---|---|\n")
	for _, c := range cs {
		sig := "no"
		if c.P < 0.05 {
			sig = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %+.4f | %s | %.1f | %.4f | %s |\n", c.A, c.B, c.Diff, formatT(c.T), c.DF, c.P, sig)
	}
	return b.String()
}

func formatT(t float64) string {
	if math.IsInf(t, 0) {
		return fmt.Sprintf("%+v", t)
	}
	return fmt.Sprintf("%.3f", t)
}

// sweepCompareCommand merges finished sweeps into one report, so that variants run by separate
// sweeps (different configs) get one table, one plot and pairwise tests.
func (a *app) sweepCompareCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "compare --out DIR SWEEP_DIR SWEEP_DIR...",
		Short: "Merge finished sweeps into one table and plot with pairwise Welch t-tests",
		Long: `compare reads SWEEP_DIR/sweep.json of finished sweeps (e.g. one per config) and writes
DIR/sweep.json, DIR/sweep.md and DIR/sweep-accuracy.svg as one sweep would, with every variant
named <sweep folder>/<variant> ("default" variants by the sweep folder alone), and a table of
pairwise Welch t-tests of final held-out accuracy.`,
		Example: `  train sweep compare --out runs/study-b runs/sweep-tool-grpo runs/sweep-hdpo runs/sweep-coupled`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return configErrorf("sweep compare: give at least one sweep folder (a folder with sweep.json written by train sweep)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return configErrorf("sweep compare: --out DIR is required (the folder for the merged sweep.md and plot)")
			}
			rep, err := mergeSweeps(args)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			if err := writeSweepReport(out, rep); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "sweep compare: %d variants from %d sweeps; summary in %s\n",
				len(rep.Variants), len(args), filepath.Join(out, "sweep.md"))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder for the merged report (required)")
	return cmd
}

// mergeSweeps concatenates the variants of the sweeps' sweep.json files. The merged Seeds are
// the first sweep's when every sweep used the same seeds, else empty (each variant keeps its own).
func mergeSweeps(dirs []string) (sweepReport, error) {
	var merged sweepReport
	sameSeeds := true
	for i, dir := range dirs {
		path := filepath.Join(dir, "sweep.json")
		b, err := os.ReadFile(path)
		if err != nil {
			return merged, configErrorf("sweep compare: %v; give folders written by train sweep (they hold sweep.json)", err)
		}
		var rep sweepReport
		if err := json.Unmarshal(b, &rep); err != nil {
			return merged, configErrorf("sweep compare: %s: %v", path, err)
		}
		if i == 0 {
			merged.Seeds = rep.Seeds
		} else if fmt.Sprint(rep.Seeds) != fmt.Sprint(merged.Seeds) {
			sameSeeds = false
		}
		prefix := filepath.Base(filepath.Clean(dir))
		for _, v := range rep.Variants {
			if v.Name == "default" {
				v.Name = prefix
			} else {
				v.Name = prefix + "/" + v.Name
			}
			merged.Variants = append(merged.Variants, v)
		}
	}
	if !sameSeeds {
		merged.Seeds = nil
	}
	return merged, nil
}
