package trainers

import (
	"math"
	"testing"

	"grit/rl"
)

// testTrainer is a trainer with cfg and no model: enough for the pure parts of a step (sample
// assembly, advantages, loss configuration).
func testTrainer(cfg Config) *trainer { return &trainer{cfg: cfg} }

// oneTurnSamples assembles one sample per reward through the trainer's trajectorySample: rewards[g]
// lists the "correct" component of group g's samples (1 = correct), each a one-token completion
// with sampling log-prob -1.
func oneTurnSamples(t *trainer, rewards ...[]float64) []rl.Sample {
	var out []rl.Sample
	for g, rs := range rewards {
		for i, r := range rs {
			out = append(out, t.trajectorySample(0, scoreTrajectory(g, i, r)))
		}
	}
	return out
}

// wantClose fails t when got and want differ by more than tol (relative to max(1, |want|)).
func wantClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) || math.IsNaN(got) {
		t.Errorf("%s = %.9g, want %.9g", what, got, want)
	}
}
