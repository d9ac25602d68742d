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

// comparisonMarkdown is one table of pairwise tests per metric; p < 0.05 is marked (uncorrected
// for the number of pairs: with k pairs, Bonferroni asks for p < 0.05/k).
func comparisonMarkdown(cs []sweepComparison) string {
	var b strings.Builder
	for i := 0; i < len(cs); {
		j := i
		for j < len(cs) && cs[j].Metric == cs[i].Metric {
			j++
		}
		fmt.Fprintf(&b, "\n## Pairwise Welch t-tests (%s)\n\n", cs[i].Metric)
		fmt.Fprintf(&b, "Two-sided p-values, not corrected for the %d comparisons (Bonferroni at 5%%: p < %.4f).\n\n",
			j-i, 0.05/float64(j-i))
		b.WriteString("| A | B | mean(A) - mean(B) | t | df | p | p < 0.05 |\n|---|---|---|---|---|---|---|\n")
		for _, c := range cs[i:j] {
			sig := "no"
			if c.P < 0.05 {
				sig = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s | %+.4f | %s | %.1f | %s | %s |\n", c.A, c.B, c.Diff, formatT(c.T), c.DF, formatP(c.P), sig)
		}
		i = j
	}
	return b.String()
}

// formatP writes p with four decimals, or in exponent form below 0.0001 (where four decimals
// would print 0.0000).
func formatP(p float64) string {
	if p > 0 && p < 1e-4 {
		return fmt.Sprintf("%.1e", p)
	}
	return fmt.Sprintf("%.4f", p)
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
	metrics := []string{comparedMetric}
	cmd := &cobra.Command{
		Use:   "compare --out DIR [--metric NAME ...] SWEEP_DIR SWEEP_DIR...",
		Short: "Merge finished sweeps into one table and plot with pairwise Welch t-tests",
		Long: `compare reads SWEEP_DIR/sweep.json of finished sweeps (e.g. one per config) and writes
DIR/sweep.json, DIR/sweep.md and DIR/sweep-accuracy.svg as one sweep would, with every variant
named <sweep folder>/<variant> ("default" variants by the sweep folder alone), and tables of
pairwise Welch t-tests of each --metric (final held-out accuracy by default; any key of
sweep.md's metric column, e.g. tool_calls_mean), and a plot DIR/sweep-<metric>.svg of each.`,
		Example: `  train sweep compare --out runs/study-b runs/sweep-tool-grpo runs/sweep-hdpo runs/sweep-coupled
  train sweep compare --out runs/study-b --metric accuracy --metric tool_calls_mean runs/sweep-tool-grpo runs/sweep-hdpo`,
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
			rep.Comparisons = []sweepComparison{}
			for _, m := range metrics {
				cs := pairwiseWelch(rep, m)
				if len(cs) == 0 {
					return configErrorf("sweep compare: --metric %s: no two variants report it over 2 or more seeds; "+
						"use a metric from the sweeps' sweep.md (e.g. accuracy, tool_calls_mean)", m)
				}
				rep.Comparisons = append(rep.Comparisons, cs...)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			if err := writeSweepReport(out, rep); err != nil {
				return err
			}
			for _, m := range metrics {
				if m != comparedMetric {
					if err := plotSweep(filepath.Join(out, metricPlotName(m)), rep, m); err != nil {
						return err
					}
				}
			}
			fmt.Fprintf(a.stdout, "sweep compare: %d variants from %d sweeps; summary in %s\n",
				len(rep.Variants), len(args), filepath.Join(out, "sweep.md"))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder for the merged report (required)")
	cmd.Flags().StringArrayVar(&metrics, "metric", metrics, "metric to test pairwise (repeatable; default accuracy)")
	return cmd
}

// metricPlotName is the plot file of a metric: sweep-tool_calls_mean.svg, sweep-accuracy-easy.svg
// for accuracy/easy.
func metricPlotName(metric string) string {
	return "sweep-" + strings.ReplaceAll(metric, "/", "-") + ".svg"
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
