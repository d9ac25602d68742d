package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"grit/trainers"
)

// progress shows training progress: on a terminal a one-line bar redrawn in place with \r, else
// one plain log line per step. It is also the run's log writer, so that on a terminal log lines
// scroll above the bar instead of through it.
type progress struct {
	mu        sync.Mutex
	w         io.Writer
	tty       bool
	bar       string     // the bar currently on screen ("" = none)
	firstStep int        // step count when this process started (resumed runs start late), -1 = unknown
	cols      func() int // terminal width now (it may be resized); <= 0 = unknown
}

// defaultColumns is the width assumed when the terminal does not say.
const defaultColumns = 100

func newProgress(w io.Writer, tty bool) *progress {
	p := &progress{w: w, tty: tty, firstStep: -1, cols: func() int { return 0 }}
	if f, ok := w.(*os.File); ok && tty {
		p.cols = func() int { return terminalColumns(f) }
	}
	return p
}

// Columns is the width lines should fit: the terminal's, else $COLUMNS, else defaultColumns. The
// trainer cuts the completions it logs to it.
func (p *progress) Columns() int {
	if c := p.cols(); c > 0 {
		return c
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
		return c
	}
	return defaultColumns
}

// isTerminal reports whether w is a character device (an interactive terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update is trainers.RunOptions.Progress: called after every step.
func (p *progress) update(r trainers.StepReport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.firstStep < 0 {
		p.firstStep = r.Step - 1
	}
	eta := etaOf(r, p.firstStep)
	what := fmt.Sprintf("reward %.3f  acc %s", r.Reward, percent(r.Accuracy))
	if math.IsNaN(r.Reward) { // sft: no rollouts, show the loss
		what = fmt.Sprintf("loss %.4f", r.Loss)
	}
	if !p.tty {
		fmt.Fprintf(p.w, "step %d/%d  %s  eval %s  %.0f tok/s  elapsed %s  eta %s\n",
			r.Step, r.Steps, what, percent(r.EvalAcc), r.TokensPerS,
			duration(r.ElapsedS), duration(eta))
		return
	}
	p.bar = fitBar(p.Columns(), r.Step, r.Steps, []string{
		fmt.Sprintf("%d/%d", r.Step, r.Steps), "ETA " + duration(eta), what,
		"eval " + percent(r.EvalAcc), fmt.Sprintf("%.0f tok/s", r.TokensPerS),
	})
	fmt.Fprintf(p.w, "\r\033[K%s", p.bar)
}

// Bar widths in cells: the widest bar drawn, and the narrowest worth drawing.
const (
	barMax = 24
	barMin = 8
)

// fitBar lays the bar out in fewer than cols characters (a line as wide as the terminal wraps in
// some terminals, and a wrapped bar scrolls a new line at every redraw). It narrows the bar first,
// then drops fields from the end (tok/s, then eval, ...), and as a last resort cuts the line.
func fitBar(cols, step, steps int, fields []string) string {
	room := cols - 1
	for n := len(fields); n >= 1; n-- {
		rest := strings.Join(fields[:n], "  ")
		if w := min(barMax, room-len(rest)-1-2); w >= barMin { // 2: the bar's brackets
			return barOf(step, steps, w) + " " + rest
		}
	}
	line := barOf(step, steps, barMin) + " " + fields[0]
	if room > 0 && len(line) > room {
		line = line[:room]
	}
	return line
}

// runStepLine matches the per-step line trainers.Run also logs; the progress display already shows
// each step, so these are dropped rather than printed twice. (Remove once Run stops logging steps
// when RunOptions.Progress is set.)
var runStepLine = regexp.MustCompile(`^step \d+/\d+ `)

// Write takes the run's log output (one line per call). On a terminal it clears the bar, prints
// the log and redraws the bar under it.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if runStepLine.Match(b) {
		return len(b), nil
	}
	if !p.tty || p.bar == "" {
		return p.w.Write(b)
	}
	if _, err := io.WriteString(p.w, "\r\033[K"); err != nil {
		return 0, err
	}
	n, err := p.w.Write(b)
	if err == nil && bytes.HasSuffix(b, []byte("\n")) {
		_, err = io.WriteString(p.w, p.bar)
	}
	return n, err
}

// finish ends the bar's line so that what follows starts on a fresh one.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.bar != "" {
		fmt.Fprintln(p.w)
		p.bar = ""
	}
}

// etaOf extrapolates the time left from this process's pace: (steps done here) / elapsed.
func etaOf(r trainers.StepReport, firstStep int) float64 {
	done := r.Step - firstStep
	if done <= 0 || r.ElapsedS <= 0 {
		return math.NaN()
	}
	return r.ElapsedS / float64(done) * float64(r.Steps-r.Step)
}

// barOf draws [#####.....] with width cells for step of steps.
func barOf(step, steps, width int) string {
	filled := width
	if steps > 0 {
		filled = min(width, max(0, step*width/steps))
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]"
}

// percent renders a fraction as a percentage, "-" when unknown (NaN).
func percent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*f)
}

// duration renders seconds as 1h02m, 3m05s or 12s; "?" when unknown.
func duration(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
		return "?"
	}
	d := time.Duration(math.Round(s)) * time.Second
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
