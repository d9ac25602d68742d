package plots

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// rlRun writes a 30-step RL run (eval every 10 steps, base accuracy 0.25 in summary.json).
func rlRun(t *testing.T) string {
	var b strings.Builder
	for step := range 30 {
		line := `{"step":` + itoa(step) + `,"reward_mean":0.5,"reward/correct_mean":0.4,"reward/format_mean":1,"reward/correct_std":0.1,"accuracy":0.4,"loss":-0.1,"kl":0.01,"entropy":0.3,"completion_len_mean":3`
		if (step+1)%10 == 0 {
			line += `,"eval_accuracy":` + ftoa(float64(step+1)/40) + `,"eval_length_mean":3.5`
		}
		b.WriteString(line + "}\n")
	}
	dir := writeMetrics(t, b.String())
	os.WriteFile(filepath.Join(dir, "summary.json"), []byte(`{"base":{"accuracy":0.25,"length_mean":3.2},"final":{"accuracy":0.75}}`), 0o644)
	return dir
}

func chartByFile(cs []chart, file string) *chart {
	for i := range cs {
		if cs[i].file == file {
			return &cs[i]
		}
	}
	return nil
}

// Held-out curves start at the base evaluation (x = 0) and put the eval logged at step s at s+1.
func TestHeldOutStartsAtBaseAndEvalsFollowTheirStep(t *testing.T) {
	dir := rlRun(t)
	tb, err := loadTable(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	cs := chartsFor(dir, tb)
	acc := chartByFile(cs, "accuracy.svg")
	if acc == nil || len(acc.lines) != 2 {
		t.Fatalf("accuracy chart %+v", acc)
	}
	held := acc.lines[1]
	if !reflect.DeepEqual(held.xs, []float64{0, 10, 20, 30}) || !reflect.DeepEqual(held.ys, []float64{0.25, 0.25, 0.5, 0.75}) {
		t.Errorf("held-out points x=%v y=%v, want x=[0 10 20 30] y=[0.25 0.25 0.5 0.75]", held.xs, held.ys)
	}
	length := chartByFile(cs, "length.svg")
	if length == nil || length.lines[1].ys[0] != 3.2 {
		t.Errorf("length chart lacks the base length point: %+v", length)
	}
	reward := chartByFile(cs, "reward.svg")
	var names []string
	for _, l := range reward.lines {
		names = append(names, l.name)
	}
	if !reflect.DeepEqual(names, []string{"total", "correct", "format"}) {
		t.Errorf("reward lines %v, want total and each component's mean", names)
	}
	var files []string
	for _, c := range cs {
		files = append(files, c.file)
	}
	if !reflect.DeepEqual(files, []string{"reward.svg", "accuracy.svg", "loss.svg", "kl.svg", "entropy.svg", "length.svg"}) {
		t.Errorf("charts %v", files)
	}
}

// An sft run logs no reward: no reward.svg (it used to be an empty chart), but loss and held-out
// accuracy.
func TestSFTRunHasNoRewardChart(t *testing.T) {
	dir := writeMetrics(t, "{\"step\":0,\"loss\":2.5}\n{\"step\":1,\"loss\":2.1,\"eval_accuracy\":0.3}\n")
	if err := WriteRunPlots(dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"reward.svg": false, "loss.svg": true, "accuracy.svg": true, "kl.svg": false} {
		_, err := os.Stat(filepath.Join(dir, "plots", name))
		if (err == nil) != want {
			t.Errorf("%s written = %v, want %v", name, err == nil, want)
		}
	}
}

var svgText = regexp.MustCompile(`<text x="([-0-9.]+)" y="([-0-9.]+)"[^>]*>([^<]*)</text>`)

// The legend sits right of every x tick label (outside the data), and the title's baseline is at
// least a font height below the top edge (not clipped).
func TestLegendOutsideDataAndTitleInside(t *testing.T) {
	dir := rlRun(t)
	if err := WriteRunPlots(dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "plots", "accuracy.svg"))
	if err != nil {
		t.Fatal(err)
	}
	height := float64(chartHeight.Points())
	var maxTickX, titleY float64
	legendX := map[string]float64{}
	for _, m := range svgText.FindAllStringSubmatch(string(raw), -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		switch text := m[3]; {
		case text == "Accuracy":
			titleY = height + y // the SVG flips y: screen y = height + y
		case text == "train (rollouts)" || text == "held-out (greedy)":
			legendX[text] = x
		case regexp.MustCompile(`^\d+$`).MatchString(text):
			maxTickX = max(maxTickX, x)
		}
	}
	if len(legendX) != 2 {
		t.Fatalf("legend texts found: %v", legendX)
	}
	for name, x := range legendX {
		if x <= maxTickX {
			t.Errorf("legend entry %q at x=%.1f is inside the data area (last x tick at %.1f)", name, x, maxTickX)
		}
	}
	if titleY < 14 {
		t.Errorf("title baseline %.1f pt below the top edge; a 12 px title needs >= 14", titleY)
	}
}

// metrics.jsonl numbering steps from 1 logs at step s the evaluation after s steps: drawn at s.
func TestHeldOutOfOneBasedSteps(t *testing.T) {
	dir := writeMetrics(t, "{\"step\":1,\"accuracy\":0.5}\n{\"step\":2,\"accuracy\":0.6,\"eval_accuracy\":0.7}\n")
	os.WriteFile(filepath.Join(dir, "summary.json"), []byte(`{"base":{"accuracy":0.4}}`), 0o644)
	tb, err := loadTable(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	held := chartByFile(chartsFor(dir, tb), "accuracy.svg").lines[1]
	if !reflect.DeepEqual(held.xs, []float64{0, 2}) || !reflect.DeepEqual(held.ys, []float64{0.4, 0.7}) {
		t.Errorf("held-out x=%v y=%v, want x=[0 2] y=[0.4 0.7]", held.xs, held.ys)
	}
}
