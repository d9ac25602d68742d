package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"grit/trainers/report/headless"
)

// metricKeys are the per-step keys of a GRPO run's metrics.jsonl (timings included).
var metricKeys = []string{"accuracy", "clip_frac", "clip_frac_high", "clip_frac_low", "completion_len_mean",
	"entropy", "gen_tokens", "gen_tokens_per_s", "grad_norm", "groups", "groups_dropped", "kl", "loss",
	"loss_eff", "loss_tokens", "lr", "ratio_mean", "reward/correct_mean", "reward/correct_missing",
	"reward/correct_std", "reward/format_mean", "reward/format_missing", "reward/format_std", "reward_mean",
	"reward_std", "sample_s", "samples", "samples_excluded", "score_s", "skipped_updates",
	"skipped_updates_total", "step_s", "tool_calls_mean", "truncated_frac", "update_s", "updates", "zero_std_groups"}

// fakeRun writes a run folder with steps lines of metrics.jsonl numbered from 0 (held-out eval every
// evalEvery steps) and a summary.json with the base evaluation; no rollouts.
func fakeRun(t testing.TB, steps, evalEvery int) string { return fakeRunFrom(t, 0, steps, evalEvery) }

// fakeRunFrom is fakeRun with the first step numbered first (0 or 1).
func fakeRunFrom(t testing.TB, first, steps, evalEvery int) string {
	dir := filepath.Join(t.TempDir(), fmt.Sprintf("run-%d", steps))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for s := range steps {
		m := map[string]any{"step": s + first}
		for i, k := range metricKeys {
			m[k] = 0.5 + 0.4*math.Sin(float64(s)/37+float64(i)) + 1e-7*float64(s%13)
		}
		if (s+1)%evalEvery == 0 {
			m["eval_accuracy"], m["eval_length_mean"], m["eval_s"] = float64(s)/float64(steps), 3.5, 0.2
		}
		line, _ := json.Marshal(m)
		b.Write(line)
		b.WriteByte('\n')
	}
	os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte(b.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "summary.json"), []byte(`{"base": {"accuracy": 0.25, "length_mean": 3}, "final": {"accuracy": 0.9}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("algo: grpo\nenv: arithmetic\nseed: 3\n"), 0o644)
	return dir
}

func newBrowser(t *testing.T) *headless.Browser {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	br, err := headless.New(t.TempDir())
	if errors.Is(err, headless.ErrNoBrowser) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return br
}

// A 1000-step run: the page and its metrics stay under 10 MB and headless Chromium draws every
// curve, with all 1000 points, in under 2 s from navigation start (performance.now inside the page,
// no virtual time).
func TestThousandStepReportSizeAndRenderTime(t *testing.T) {
	br := newBrowser(t)
	dir := fakeRun(t, 1000, 10)
	start := time.Now()
	if err := WriteRun(dir); err != nil {
		t.Fatal(err)
	}
	writeTime := time.Since(start)
	page := filepath.Join(dir, FileName)
	var size int64 // the page and the data it loads on opening (the rollouts load per step)
	for _, p := range []string{page, filepath.Join(dir, StepDir, MetricsFile)} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		size += st.Size()
	}
	if size > 10<<20 {
		t.Errorf("report.html and report/metrics.js of a 1000-step run are %.1f MB, want < 10 MB", float64(size)/(1<<20))
	}
	url, _ := headless.FileURL(page)
	start = time.Now()
	dom, err := br.DumpDOM(url, 0)
	if err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	m := regexp.MustCompile(`data-curves-ms="([0-9.]+)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatal("the page did not finish drawing its curves (no data-curves-ms on <body>)")
	}
	ms, _ := strconv.ParseFloat(m[1], 64)
	if ms > 2000 {
		t.Errorf("curves took %.0f ms to draw, want < 2000", ms)
	}
	for series, want := range map[string]int{"0:reward_mean": 1000, "0:reward/format_mean": 1000, "0:eval_accuracy": 101, "0:eval_length_mean": 101, "0:grad_norm": 1000} {
		if got := countPoints(dom, series); got != want {
			t.Errorf("curve %s: %d points, want %d", series, got, want)
		}
	}
	t.Logf("1000 steps: report.html + metrics.js %.2f MB written in %v; curves drawn %.0f ms after navigation start; browser start+load+dump %v",
		float64(size)/(1<<20), writeTime.Round(time.Millisecond), ms, load.Round(time.Millisecond))
}

// Two runs overlaid by WriteView: both runs' curves, with the run folders' names in the legend.
func TestViewOverlaysRuns(t *testing.T) {
	br := newBrowser(t)
	a, b := fakeRun(t, 30, 10), fakeRun(t, 20, 5)
	out := filepath.Join(t.TempDir(), "sweep.html")
	if err := WriteView(out, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	url, _ := headless.FileURL(out)
	dom, err := br.DumpDOM(url, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for series, want := range map[string]int{"0:accuracy": 30, "1:accuracy": 20, "0:eval_accuracy": 4, "1:eval_accuracy": 5} {
		if got := countPoints(dom, series); got != want {
			t.Errorf("curve %s: %d points, want %d", series, got, want)
		}
	}
	if !strings.Contains(dom, "run-30 · accuracy") || !strings.Contains(dom, "run-20 · accuracy") {
		t.Error("legend does not name both runs")
	}
	if !strings.Contains(dom, "has no rollout files") {
		t.Error("runs without rollouts should say so in the rollout browser")
	}
}

func countPoints(dom, series string) int {
	m := regexp.MustCompile(`<polyline[^>]*data-series="` + regexp.QuoteMeta(series) + `"[^>]*points="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		return -1
	}
	return len(strings.Fields(m[1]))
}

// lastX is the x coordinate of the last point of a curve.
func lastX(t *testing.T, dom, series string) float64 {
	m := regexp.MustCompile(`<polyline[^>]*data-series="` + regexp.QuoteMeta(series) + `"[^>]*points="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no curve %s", series)
	}
	pts := strings.Fields(m[1])
	x, _ := strconv.ParseFloat(strings.Split(pts[len(pts)-1], ",")[0], 64)
	return x
}

// An evaluation is drawn where the policy it measured is: with steps numbered from 0, the eval
// logged with the last step measured the policy after it (one step right of the last training
// point); with steps numbered from 1 it sits on the last training point.
func TestEvalPlacementFollowsStepNumbering(t *testing.T) {
	br := newBrowser(t)
	for first, wantRight := range map[int]bool{0: true, 1: false} {
		dir := fakeRunFrom(t, first, 20, 10)
		if err := WriteRun(dir); err != nil {
			t.Fatal(err)
		}
		url, _ := headless.FileURL(filepath.Join(dir, FileName))
		dom, err := br.DumpDOM(url, 0)
		if err != nil {
			t.Fatal(err)
		}
		train, eval := lastX(t, dom, "0:accuracy"), lastX(t, dom, "0:eval_accuracy")
		if right := eval > train+1; right != wantRight || (!wantRight && eval != train) {
			t.Errorf("steps from %d: last eval at x=%.1f, last train point at x=%.1f", first, eval, train)
		}
	}
}
