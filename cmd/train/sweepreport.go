package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"grit/trainers"
)

// sweepReport is DIR/sweep.json.
type sweepReport struct {
	Seeds    []uint64        `json:"seeds"`
	Variants []variantReport `json:"variants"`
	// Comparisons are pairwise Welch t-tests between the variants (of final held-out accuracy
	// unless `sweep compare --metric` names others).
	Comparisons []sweepComparison `json:"comparisons,omitempty"`
}

// variantReport holds one variant's runs and, per metric, their statistics. Metrics are the keys
// of summary.json's "final" map plus best_accuracy, over the runs that report them.
type variantReport struct {
	Name     string                 `json:"name"`
	Settings map[string]string      `json:"settings"`
	Seeds    []uint64               `json:"seeds"`
	Runs     []string               `json:"runs"`
	Metrics  map[string]metricStats `json:"metrics"`
}

// buildSweepReport reads every run's summary.json.
func buildSweepReport(variants []variant, seeds []uint64, dir string) (sweepReport, error) {
	rep := sweepReport{Seeds: seeds}
	for _, v := range variants {
		vr := variantReport{Name: v.Name, Settings: v.Settings, Seeds: seeds, Metrics: map[string]metricStats{}}
		values := map[string][]float64{}
		for _, s := range seeds {
			runDir := filepath.Join(dir, v.Name, fmt.Sprintf("seed-%d", s))
			sum, err := readSummary(runDir)
			if err != nil {
				return rep, err
			}
			vr.Runs = append(vr.Runs, runDir)
			for k, x := range sum.Final {
				values[k] = append(values[k], x)
			}
			values["best_accuracy"] = append(values["best_accuracy"], sum.BestAccuracy)
		}
		for k, xs := range values {
			vr.Metrics[k] = summarise(xs)
		}
		rep.Variants = append(rep.Variants, vr)
	}
	return rep, nil
}

func readSummary(runDir string) (trainers.Summary, error) {
	var s trainers.Summary
	b, err := os.ReadFile(filepath.Join(runDir, "summary.json"))
	if err != nil {
		return s, fmt.Errorf("sweep summary: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("sweep summary: %s: %w", filepath.Join(runDir, "summary.json"), err)
	}
	return s, nil
}

// writeSweepReport writes sweep.json, sweep.md and sweep-accuracy.svg into dir.
func writeSweepReport(dir string, rep sweepReport) error {
	if rep.Comparisons == nil {
		rep.Comparisons = pairwiseWelch(rep, comparedMetric)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("sweep.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sweep.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "sweep.md"), []byte(sweepMarkdown(rep)), 0o644); err != nil {
		return err
	}
	return plotSweep(filepath.Join(dir, "sweep-accuracy.svg"), rep, "accuracy")
}

// sweepMarkdown is one table row per variant and metric: n, mean ± sample std, 95% CI.
func sweepMarkdown(rep sweepReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Sweep\n\nSeeds: %v. Mean ± sample standard deviation; 95%% confidence interval of the mean (Student's t, n-1 degrees of freedom).\n\n", rep.Seeds)
	b.WriteString("| variant | metric | n | mean ± std | 95% CI |\n|---|---|---|---|---|\n")
	for _, v := range rep.Variants {
		keys := make([]string, 0, len(v.Metrics))
		for k := range v.Metrics {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m := v.Metrics[k]
			std, ci := "n/a", "n/a"
			if m.Std != nil {
				std = fmt.Sprintf("%.4f", *m.Std)
				ci = fmt.Sprintf("[%.4f, %.4f]", *m.CILow, *m.CIHigh)
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %.4f ± %s | %s |\n", v.Name, k, m.N, m.Mean, std, ci)
		}
	}
	b.WriteString(comparisonMarkdown(rep.Comparisons))
	return b.String()
}

// plotSweep draws the metric's mean per variant with its 95% interval as error bars (none with
// one seed). Variants without the metric are left out; with none, no plot is written.
func plotSweep(path string, rep sweepReport, metricKey string) error {
	var with []variantReport
	for _, v := range rep.Variants {
		if _, ok := v.Metrics[metricKey]; ok {
			with = append(with, v)
		}
	}
	if len(with) == 0 {
		return nil
	}
	rep.Variants = with
	p := plot.New()
	p.Title.Text = "final held-out " + metricKey + " per variant (mean, 95% CI)"
	p.Y.Label.Text = metricKey
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(rep.Variants))
	errs := make(plotter.YErrors, len(rep.Variants))
	names := make([]string, len(rep.Variants))
	for i, v := range rep.Variants {
		m := v.Metrics[metricKey]
		pts[i] = plotter.XY{X: float64(i), Y: m.Mean}
		if m.CILow != nil {
			errs[i] = struct{ Low, High float64 }{m.Mean - *m.CILow, *m.CIHigh - m.Mean}
		}
		names[i] = v.Name
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("sweep plot: %w", err)
	}
	bars, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{pts, errs})
	if err != nil {
		return fmt.Errorf("sweep plot: %w", err)
	}
	p.Add(sc, bars)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	return p.Save(plotWidth(names), 10*vg.Centimeter, path)
}

// plotWidth gives every variant's label room: 3 cm or 0.22 cm per character of the longest name,
// whichever is more, per variant, and at least 12 cm in all.
func plotWidth(names []string) vg.Length {
	longest := 0
	for _, n := range names {
		longest = max(longest, len(n))
	}
	per := max(3, 0.22*float64(longest))
	return vg.Length(max(12, per*float64(len(names)))) * vg.Centimeter
}
