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
	"gonum.org/v1/plot/vg/vgsvg"
)

var palette = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255},
	color.RGBA{R: 140, G: 86, B: 75, A: 255},
}

// Page size of every chart.
const (
	chartWidth  = 18 * vg.Centimeter
	chartHeight = 10 * vg.Centimeter
)

// WriteRunPlots reads runDir/metrics.jsonl and writes runDir/plots/*.svg (see the package doc).
// Steps where a metric is missing are drawn as gaps in its line; held-out evaluations are points
// joined across steps.
func WriteRunPlots(runDir string) error {
	tb, err := loadTable(filepath.Join(runDir, "metrics.jsonl"))
	if err != nil {
		return err
	}
	if len(tb.steps) == 0 {
		return fmt.Errorf("%s has no steps to plot yet", filepath.Join(runDir, "metrics.jsonl"))
	}
	dir := filepath.Join(runDir, "plots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create plots folder: %w", err)
	}
	for _, c := range chartsFor(runDir, tb) {
		if err := drawChart(c, filepath.Join(dir, c.file)); err != nil {
			return err
		}
	}
	return nil
}

// drawChart draws c's lines with their legend in a column to the right of the plot area.
func drawChart(c chart, path string) error {
	p := plot.New()
	p.Title.Text = c.title
	p.Title.Padding = vg.Points(6) // between the title and the plot area
	p.X.Label.Text = "step"
	p.X.Tick.Marker = plainTicks{}
	p.Y.Label.Text = c.yLabel
	if c.unitRange {
		p.Y.Min, p.Y.Max = 0, 1
	}
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.Padding = vg.Points(3)
	for i, l := range c.lines {
		col := palette[i%len(palette)]
		var err error
		if l.eval {
			err = addEval(p, &leg, l, col)
		} else {
			err = addLine(p, &leg, l.name, l.multi[0], col)
		}
		if err != nil {
			return err
		}
	}
	canvas := vgsvg.New(chartWidth, chartHeight)
	dc := draw.New(canvas)
	legW := legendWidth(leg, c.lines)
	// gonum puts the title's top at the canvas edge, where the browser's font may clip it: keep a
	// margin above it.
	top := vg.Points(6)
	p.Draw(draw.Crop(dc, 0, -legW, 0, -top))
	legArea := draw.Crop(dc, chartWidth-legW+vg.Points(4), 0, 0, -(top + p.Title.TextStyle.Height(c.title) + p.Title.Padding))
	leg.Draw(legArea)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// legendWidth is the width of the legend column: the longest entry plus its thumbnail.
func legendWidth(leg plot.Legend, lines []line) vg.Length {
	var w vg.Length
	for _, l := range lines {
		w = max(w, leg.TextStyle.Width(l.name))
	}
	return w + leg.ThumbnailWidth + vg.Points(16)
}

// addEval draws held-out points (the base point first) joined by a dashed line.
func addEval(p *plot.Plot, leg *plot.Legend, l line, c color.Color) error {
	ln, points, err := plotter.NewLinePoints(xyOf(l.xs, l.ys))
	if err != nil {
		return fmt.Errorf("plot %s: %w", l.name, err)
	}
	ln.Color, points.Color = c, c
	ln.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	points.Shape = draw.CircleGlyph{}
	p.Add(ln, points)
	leg.Add(l.name, ln, points)
	return nil
}

// addLine draws a series as one line per gap-free segment, with a single legend entry.
func addLine(p *plot.Plot, leg *plot.Legend, name string, s series, c color.Color) error {
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
			leg.Add(name, thing)
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
