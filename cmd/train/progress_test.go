package main

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"grit/trainers"
)

func TestPlainProgressLines(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, false)
	// Resumed at step 10: pace is (12-10)/4s = 0.5 steps/s, 48 steps left -> 96 s.
	p.update(trainers.StepReport{Step: 11, Steps: 60, Reward: 0.25, Accuracy: 0.5, EvalAcc: math.NaN(), TokensPerS: 1200, ElapsedS: 2})
	p.update(trainers.StepReport{Step: 12, Steps: 60, Reward: 0.5, Accuracy: 0.625, EvalAcc: 0.4, TokensPerS: 1250, ElapsedS: 4})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per step, got %q", b.String())
	}
	for _, f := range []string{"step 12/60", "reward 0.500", "acc 62.5%", "eval 40.0%", "1250 tok/s", "eta 1m36s"} {
		if !strings.Contains(lines[1], f) {
			t.Errorf("line %q lacks %q", lines[1], f)
		}
	}
	if !strings.Contains(lines[0], "eval -") {
		t.Errorf("before the first eval the eval column should be '-': %q", lines[0])
	}
	if strings.Contains(b.String(), "\r") {
		t.Error("plain output must not use \\r")
	}
}

func TestTerminalBarRedrawsAndKeepsLogsAbove(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, true)
	p.update(trainers.StepReport{Step: 30, Steps: 60, Reward: 1, Accuracy: 1, EvalAcc: 0.5, TokensPerS: 10, ElapsedS: 30})
	if _, err := p.Write([]byte("eval at step 30: 50%\n")); err != nil {
		t.Fatal(err)
	}
	p.finish()
	s := b.String()
	// The first report seen is step 30, so this process did 1 step in 30 s: 30 steps left -> 900 s.
	bar := "[############............] 30/60  ETA 15m00s"
	if !strings.HasPrefix(s, "\r\033[K"+bar) {
		t.Errorf("bar not drawn in place: %q", s)
	}
	if !strings.Contains(s, "\r\033[Keval at step 30: 50%\n"+"[####") {
		t.Errorf("log line should clear the bar and the bar be redrawn after it: %q", s)
	}
	if !strings.HasSuffix(s, "\n") {
		t.Errorf("finish should end the bar line: %q", s)
	}
}

func TestDurationAndBar(t *testing.T) {
	for s, want := range map[float64]string{0: "0s", 59.4: "59s", 61: "1m01s", 3725: "1h02m", math.NaN(): "?"} {
		if got := duration(s); got != want {
			t.Errorf("duration(%v) = %q, want %q", s, got, want)
		}
	}
	if got := barOf(1, 4, 8); got != "[##......]" {
		t.Errorf("barOf(1,4,8) = %q", got)
	}
	if got := barOf(9, 4, 8); got != "[########]" {
		t.Errorf("barOf past the end = %q", got)
	}
}

func TestRunStepLogLinesAreNotRepeated(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var b bytes.Buffer
		p := newProgress(&b, tty)
		p.Write([]byte("step 3/60 reward 0.500 acc 0.400 (1.2s)\n"))
		p.Write([]byte("base policy: held-out accuracy 0.300 on 200 tasks\n"))
		if strings.Contains(b.String(), "step 3/60 reward") || !strings.Contains(b.String(), "base policy") {
			t.Errorf("tty=%v: log output %q", tty, b.String())
		}
	}
}

// On a terminal the bar stays narrower than the terminal (80 columns used to wrap: every redraw
// scrolled a new line); what it drops first is the throughput, never the step count.
func TestTerminalBarFitsTheWidth(t *testing.T) {
	r := trainers.StepReport{Step: 1234, Steps: 10000, Reward: 0.123456, Accuracy: 0.5, EvalAcc: 0.995, TokensPerS: 123456, ElapsedS: 4000}
	for _, cols := range []int{20, 40, 60, 80, 100, 200} {
		var b bytes.Buffer
		p := newProgress(&b, true)
		p.cols = func() int { return cols }
		p.update(r)
		line := strings.TrimPrefix(b.String(), "\r\033[K")
		if len(line) >= cols {
			t.Errorf("%d columns: bar is %d wide: %q", cols, len(line), line)
		}
		if !strings.Contains(line, "1234/") {
			t.Errorf("%d columns: step count dropped: %q", cols, line)
		}
		if cols >= 80 && !(strings.Contains(line, "ETA") && strings.Contains(line, "reward 0.123") && strings.Contains(line, "eval 99.5%")) {
			t.Errorf("%d columns: should still show ETA, reward and eval: %q", cols, line)
		}
		if cols >= 100 && !strings.Contains(line, "tok/s") {
			t.Errorf("%d columns: room for tok/s: %q", cols, line)
		}
		if p.Columns() != cols {
			t.Errorf("Columns() = %d, want %d", p.Columns(), cols)
		}
	}
}

func TestColumnsFallsBackToEnvThenDefault(t *testing.T) {
	p := newProgress(&bytes.Buffer{}, false)
	t.Setenv("COLUMNS", "")
	if got := p.Columns(); got != defaultColumns {
		t.Errorf("no terminal, no COLUMNS: %d, want %d", got, defaultColumns)
	}
	t.Setenv("COLUMNS", "72")
	if got := p.Columns(); got != 72 {
		t.Errorf("COLUMNS=72: %d", got)
	}
}
