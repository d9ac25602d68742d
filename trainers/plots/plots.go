package plots

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Metric keys read from metrics.jsonl.
const (
	KeyReward       = "reward_mean"
	KeyAccuracy     = "accuracy"
	KeyEvalAccuracy = "eval_accuracy"
)

var (
	trainColor = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	evalColor  = color.RGBA{R: 214, G: 39, B: 40, A: 255}
)

// WriteRunPlots reads runDir/metrics.jsonl and writes runDir/plots/reward.svg and
// runDir/plots/accuracy.svg. Steps where a metric is missing are drawn as gaps in its line;
// held-out accuracy, measured every eval_every steps, is drawn as points joined across steps.
func WriteRunPlots(runDir string) error {
	m, err := readMetrics(filepath.Join(runDir, "metrics.jsonl"), KeyReward, KeyAccuracy, KeyEvalAccuracy)
	if err != nil {
		return err
	}
	if len(m[KeyReward].steps) == 0 {
		return fmt.Errorf("%s has no steps to plot yet", filepath.Join(runDir, "metrics.jsonl"))
	}
	dir := filepath.Join(runDir, "plots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create plots folder: %w", err)
	}

	reward := newPlot("Mean reward per step", "reward")
	if err := addLine(reward, "train reward", m[KeyReward], trainColor); err != nil {
		return err
	}
	if err := save(reward, filepath.Join(dir, "reward.svg")); err != nil {
		return err
	}

	acc := newPlot("Accuracy", "accuracy")
	acc.Y.Min, acc.Y.Max = 0, 1
	if err := addLine(acc, "train (rollouts)", m[KeyAccuracy], trainColor); err != nil {
		return err
	}
	if xs, ys := m[KeyEvalAccuracy].present(); len(xs) > 0 {
		pts := xyOf(xs, ys)
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return fmt.Errorf("plot eval accuracy: %w", err)
		}
		line.Color, points.Color = evalColor, evalColor
		line.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		points.Shape = draw.CircleGlyph{}
		acc.Add(line, points)
		acc.Legend.Add("held-out (greedy)", line, points)
	}
	return save(acc, filepath.Join(dir, "accuracy.svg"))
}

func newPlot(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "step"
	p.X.Tick.Marker = plainTicks{}
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

// addLine draws a series as one line per gap-free segment, with a single legend entry.
func addLine(p *plot.Plot, name string, s series, c color.Color) error {
	for i, seg := range s.segments() {
		pts := xyOf(seg[0], seg[1])
		var thing plot.Thumbnailer
		if len(pts) == 1 { // a lone point between gaps would be invisible as a line
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return fmt.Errorf("plot %s: %w", name, err)
			}
			sc.Color = c
			p.Add(sc)
			thing = sc
		} else {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("plot %s: %w", name, err)
			}
			l.Color = c
			l.Width = vg.Points(1.5)
			p.Add(l)
			thing = l
		}
		if i == 0 {
			p.Legend.Add(name, thing)
		}
	}
	return nil
}

// plainTicks labels ticks as 25 rather than 25.00 (steps are whole numbers).
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', -1, 64)
		}
	}
	return ticks
}

func xyOf(xs, ys []float64) plotter.XYs {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	return pts
}

func save(p *plot.Plot, path string) error {
	if err := p.Save(16*vg.Centimeter, 10*vg.Centimeter, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
