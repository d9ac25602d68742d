package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// writeFakeSweep writes DIR/sweep.json with one accuracy metric per variant.
func writeFakeSweep(t *testing.T, dir string, seeds []uint64, variants map[string][]float64, order []string) {
	t.Helper()
	rep := sweepReport{Seeds: seeds}
	for _, name := range order {
		rep.Variants = append(rep.Variants, variantReport{Name: name, Seeds: seeds,
			Metrics: map[string]metricStats{"accuracy": summarise(variants[name])}})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	if err := os.WriteFile(filepath.Join(dir, "sweep.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Two sweeps merged: names are prefixed by the sweep folder, and the one pair is tested with the
// hand-derived values of TestWelchTestEqualVariances (diff -3, df 4, p 0.0213).
func TestSweepCompareMergesAndTests(t *testing.T) {
	root := t.TempDir()
	seeds := []uint64{7, 8, 9}
	writeFakeSweep(t, filepath.Join(root, "grpo"), seeds, map[string][]float64{"default": {1, 2, 3}}, []string{"default"})
	writeFakeSweep(t, filepath.Join(root, "hdpo"), seeds, map[string][]float64{"lr-1": {4, 5, 6}}, []string{"lr-1"})
	out := filepath.Join(root, "merged")
	a, stdout, stderr := realSweepApp(t)
	if code := a.execute([]string{"sweep", "compare", "--out", out, filepath.Join(root, "grpo"), filepath.Join(root, "hdpo")}); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	rep := readSweepJSON(t, out)
	if len(rep.Variants) != 2 || rep.Variants[0].Name != "grpo" || rep.Variants[1].Name != "hdpo/lr-1" {
		t.Fatalf("merged variants %+v, want grpo and hdpo/lr-1", rep.Variants)
	}
	if len(rep.Comparisons) != 1 {
		t.Fatalf("comparisons %+v, want one pair", rep.Comparisons)
	}
	c := rep.Comparisons[0]
	if c.A != "grpo" || c.B != "hdpo/lr-1" || c.Diff != -3 || math.Abs(c.DF-4) > 1e-9 || math.Abs(c.P-0.02131) > 5e-5 {
		t.Fatalf("comparison %+v, want grpo - hdpo/lr-1 = -3, df 4, p 0.0213", c)
	}
	md, err := os.ReadFile(filepath.Join(out, "sweep.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| grpo | hdpo/lr-1 | -3.0000 | -3.674 | 4.0 | 0.0213 | yes |") {
		t.Fatalf("sweep.md lacks the test row:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(out, "sweep-accuracy.svg")); err != nil {
		t.Fatalf("no merged plot: %v", err)
	}
}

func TestFormatP(t *testing.T) {
	for p, want := range map[float64]string{0.0213: "0.0213", 1: "1.0000", 0: "0.0000", 3.14e-7: "3.1e-07"} {
		if got := formatP(p); got != want {
			t.Errorf("formatP(%v) = %q, want %q", p, got, want)
		}
	}
}

func TestSweepCompareErrors(t *testing.T) {
	root := t.TempDir()
	a, _, stderr := realSweepApp(t)
	if code := a.execute([]string{"sweep", "compare", "--out", filepath.Join(root, "m"), root}); code == 0 ||
		!strings.Contains(stderr.String(), "sweep.json") {
		t.Fatalf("a folder without sweep.json: exit %d, stderr %q; want an error naming sweep.json", code, stderr)
	}
	a, _, stderr = realSweepApp(t)
	if code := a.execute([]string{"sweep", "compare", root}); code == 0 || !strings.Contains(stderr.String(), "--out") {
		t.Fatalf("no --out: exit %d, stderr %q; want an error naming --out", code, stderr)
	}
}

// --metric picks the tested metrics (repeatable; the default accuracy is replaced, not kept).
func TestSweepCompareMetrics(t *testing.T) {
	root := t.TempDir()
	for name, calls := range map[string][]float64{"a": {1, 1, 0.9}, "b": {0.4, 0.5, 0.3}} {
		rep := sweepReport{Seeds: []uint64{1, 2, 3}, Variants: []variantReport{{Name: "default", Metrics: map[string]metricStats{
			"accuracy": summarise([]float64{0.9, 0.8, 0.85}), "tool_calls_mean": summarise(calls)}}}}
		if err := os.MkdirAll(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rep)
		if err := os.WriteFile(filepath.Join(root, name, "sweep.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(root, "m")
	a, stdout, stderr := realSweepApp(t)
	if code := a.execute([]string{"sweep", "compare", "--out", out, "--metric", "tool_calls_mean",
		filepath.Join(root, "a"), filepath.Join(root, "b")}); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	rep := readSweepJSON(t, out)
	if len(rep.Comparisons) != 1 || rep.Comparisons[0].Metric != "tool_calls_mean" || math.Abs(rep.Comparisons[0].Diff-0.5666667) > 1e-6 {
		t.Fatalf("comparisons %+v, want one test of tool_calls_mean with diff 0.5667", rep.Comparisons)
	}
	if _, err := os.Stat(filepath.Join(out, "sweep-tool_calls_mean.svg")); err != nil {
		t.Fatalf("no plot of the tested metric: %v", err)
	}
	a, _, stderr = realSweepApp(t)
	if code := a.execute([]string{"sweep", "compare", "--out", out, "--metric", "nope",
		filepath.Join(root, "a"), filepath.Join(root, "b")}); code == 0 || !strings.Contains(stderr.String(), "--metric nope") {
		t.Fatalf("unknown metric: exit %d, stderr %q", code, stderr)
	}
}

// Long variant names widen the plot so that the labels under the axis do not overlap: three names
// of 38 characters need 3 x 38 x 0.22 cm = 25.08 cm; short ones keep the 12 cm minimum.
func TestPlotWidthFitsLabels(t *testing.T) {
	long := strings.Repeat("x", 38)
	if got, want := plotWidth([]string{long, long, long}), 3*38*0.22*vg.Centimeter; math.Abs(float64(got-want)) > 1e-9 {
		t.Errorf("width for three 38-character names %v, want %v", got, want)
	}
	if got := plotWidth([]string{"grpo", "nft"}); got != 12*vg.Centimeter {
		t.Errorf("width for two short names %v, want 12 cm", got)
	}
}
