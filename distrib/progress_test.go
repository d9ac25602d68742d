package distrib

import (
	"testing"

	"grit/trainers"
)

// With workers the learner samples nothing itself: the progress line's tokens/s is the workers'
// (workers/tokens_per_s), not the learner's own zero.
func TestProgressShowsWorkersTokensPerSecond(t *testing.T) {
	var rates []float64
	dir, _ := workerRunProgress(t, tinyConfig(t, workerSets...), startWorkers(t, 1), func(r trainers.StepReport) {
		rates = append(rates, r.TokensPerS)
	})
	m := readMetrics(t, dir)
	if len(rates) != len(m) {
		t.Fatalf("%d progress reports for %d steps", len(rates), len(m))
	}
	for i, r := range rates {
		if want := m[i][trainers.KeyWorkerTokPerS]; r <= 0 || r != want {
			t.Errorf("step %d: progress shows %v tokens/s, want the workers' %v", i+1, r, want)
		}
	}
}
