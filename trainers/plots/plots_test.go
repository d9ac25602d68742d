package plots

import (
	"encoding/xml"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeMetrics(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadMetricsGapsDuplicatesAndTornLastLine(t *testing.T) {
	dir := writeMetrics(t, `{"step":2,"reward_mean":0.5,"accuracy":0.4}
{"step":1,"reward_mean":0.1,"accuracy":null,"eval_accuracy":0.3}

{"step":3,"accuracy":0.6,"lr_s":1}
{"step":2,"reward_mean":0.55,"accuracy":0.45}
{"step":4,"reward_me`)
	m, err := readMetrics(filepath.Join(dir, "metrics.jsonl"), KeyReward, KeyAccuracy, KeyEvalAccuracy)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	want := map[string][]float64{
		KeyReward:       {0.1, 0.55, nan}, // step 2 repeated: the later line wins; step 3 lacks it
		KeyAccuracy:     {nan, 0.45, 0.6}, // null is a gap
		KeyEvalAccuracy: {0.3, nan, nan},
	}
	for key, w := range want {
		s := m[key]
		if !reflect.DeepEqual(s.steps, []float64{1, 2, 3}) {
			t.Errorf("%s steps = %v, want [1 2 3]", key, s.steps)
		}
		for i := range w {
			if !(s.values[i] == w[i] || math.IsNaN(s.values[i]) && math.IsNaN(w[i])) {
				t.Errorf("%s[%d] = %v, want %v", key, i, s.values[i], w[i])
			}
		}
	}
}

func TestReadMetricsRejectsBadLines(t *testing.T) {
	dir := writeMetrics(t, "{\"step\":1}\nnot json\n{\"step\":2}\n")
	if _, err := readMetrics(filepath.Join(dir, "metrics.jsonl"), KeyReward); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("malformed middle line: err = %v, want one naming line 2", err)
	}
	dir = writeMetrics(t, "{\"reward_mean\":1}\n")
	if _, err := readMetrics(filepath.Join(dir, "metrics.jsonl"), KeyReward); err == nil || !strings.Contains(err.Error(), "step") {
		t.Errorf("line without step: err = %v", err)
	}
}

func TestSegmentsSplitAtGaps(t *testing.T) {
	nan := math.NaN()
	s := series{steps: []float64{1, 2, 3, 4, 5, 6}, values: []float64{nan, 1, 2, nan, 5, nan}}
	got := s.segments()
	want := [][2][]float64{{{2, 3}, {1, 2}}, {{5}, {5}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("segments = %v, want %v", got, want)
	}
	xs, ys := s.present()
	if !reflect.DeepEqual(xs, []float64{2, 3, 5}) || !reflect.DeepEqual(ys, []float64{1, 2, 5}) {
		t.Errorf("present = %v %v", xs, ys)
	}
}

func TestWriteRunPlots(t *testing.T) {
	var b strings.Builder
	for step := 1; step <= 30; step++ {
		acc := float64(step) / 40
		line := `{"step":` + itoa(step) + `,"reward_mean":` + ftoa(acc*1.1) + `,"accuracy":` + ftoa(acc)
		if step%10 == 0 {
			line += `,"eval_accuracy":` + ftoa(acc-0.05)
		}
		if step == 15 { // a step whose reward was not logged
			line = `{"step":15,"accuracy":0.3`
		}
		b.WriteString(line + "}\n")
	}
	dir := writeMetrics(t, b.String())
	if err := WriteRunPlots(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"reward.svg", "accuracy.svg"} {
		data, err := os.ReadFile(filepath.Join(dir, "plots", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(data, new(struct{})); err != nil || !strings.Contains(string(data), "<svg") {
			t.Errorf("%s is not an SVG document: %v", name, err)
		}
	}
	acc, _ := os.ReadFile(filepath.Join(dir, "plots", "accuracy.svg"))
	if !strings.Contains(string(acc), "held-out") {
		t.Error("accuracy.svg lacks the held-out series")
	}
}

func TestWriteRunPlotsErrors(t *testing.T) {
	if err := WriteRunPlots(t.TempDir()); err == nil || !strings.Contains(err.Error(), "metrics") {
		t.Errorf("missing metrics.jsonl: err = %v", err)
	}
	if err := WriteRunPlots(writeMetrics(t, "")); err == nil || !strings.Contains(err.Error(), "no steps") {
		t.Errorf("empty metrics.jsonl: err = %v", err)
	}
}

func TestPlainTicksDropTrailingZeros(t *testing.T) {
	for _, tk := range (plainTicks{}).Ticks(0, 50) {
		if tk.Label != "" && tk.Label != ftoa(tk.Value) {
			t.Errorf("tick %v labelled %q", tk.Value, tk.Label)
		}
	}
}
