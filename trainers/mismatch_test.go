package trainers

import (
	"math"
	"testing"
)

// The mismatch is the token mean of |train - sample| over all rows: hand-derived
// (|-1+1.5| + |-2+1| + |-0.25+0.25|) / 3 = (0.5 + 1 + 0) / 3 = 0.5.
func TestLogpMismatchMean(t *testing.T) {
	var a logpMismatch
	a.add([][]float32{{-1, -2}}, [][]float32{{-1.5, -1}})
	a.add([][]float32{{-0.25}}, [][]float32{{-0.25}})
	m := Metrics{}
	a.write(m)
	if got := m[keyWorkerLogpMismatch]; math.Abs(got-0.5) > 1e-12 {
		t.Fatalf("mismatch = %v, want 0.5", got)
	}
	empty := Metrics{}
	(&logpMismatch{}).write(empty)
	if _, ok := empty[keyWorkerLogpMismatch]; ok {
		t.Fatal("no tokens: the key must be absent")
	}
}
