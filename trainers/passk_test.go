package trainers

import (
	"context"
	"runtime"
	"testing"

	"grit/policy"
)

// batchWatcher is a policy that records the largest sampling batch and the live heap at each call.
type batchWatcher struct {
	policy.Policy
	maxBatch int
	peakHeap uint64
}

func (w *batchWatcher) Sample(prompts [][]int, seeds []uint64, opts policy.SampleOptions) ([]policy.Generation, error) {
	w.maxBatch = max(w.maxBatch, len(prompts))
	var ms runtime.MemStats
	runtime.GC() // live objects only
	runtime.ReadMemStats(&ms)
	w.peakHeap = max(w.peakHeap, ms.HeapAlloc)
	gens, err := w.Policy.Sample(prompts, seeds, opts)
	runtime.GC() // the generations are live now
	runtime.ReadMemStats(&ms)
	w.peakHeap = max(w.peakHeap, ms.HeapAlloc)
	return gens, err
}

// passAtKAllAtOnce is the reference: all k episodes of every task sampled in one batch (as
// passAtK did before it streamed), counting tasks with a correct final turn.
func passAtKAllAtOnce(t *testing.T, pol policy.Policy, cfg Config, k int) float64 {
	t.Helper()
	env := mustEnv(t, cfg)
	tasks := heldOut(env, 10)
	p := &player{pol: pol, env: env, opts: policy.SampleOptions{MaxNewTokens: cfg.MaxNewTokens, Temperature: 1}}
	trajs, err := p.play(context.Background(), tasks, k, streamSeed(3, "pass@k"), 0)
	if err != nil {
		t.Fatal(err)
	}
	solved := 0
	for i := range tasks {
		for j := 0; j < k; j++ {
			if trajs[i*k+j].Last().Reward.Correct {
				solved++
				break
			}
		}
	}
	return float64(solved) / float64(len(tasks))
}

// pass@k is computed in memory independent of k (sampling batches stay bounded, the heap does not
// grow with k) and gives the same values as sampling everything at once.
func TestPassAtKMemoryDoesNotGrowWithK(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.LR = 0
	pol, err := initPolicy(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env := mustEnv(t, cfg)
	tasks := heldOut(env, 10)
	for _, k := range []int{1, 3, 8} {
		got, _, err := passAtK(context.Background(), pol, nil, env, tasks, cfg.MaxNewTokens, k, 3)
		if err != nil {
			t.Fatal(err)
		}
		if want := passAtKAllAtOnce(t, pol, cfg, k); got != want {
			t.Errorf("pass@%d = %v, want %v (all samples at once)", k, got, want)
		}
	}
	peaks := map[int]uint64{}
	for _, k := range []int{100, 1000} {
		w := &batchWatcher{Policy: pol}
		runtime.GC()
		if _, _, err := passAtK(context.Background(), w, nil, env, tasks, cfg.MaxNewTokens, k, 3); err != nil {
			t.Fatal(err)
		}
		if w.maxBatch > passKBatch {
			t.Errorf("pass@%d sampled %d episodes at once; want at most %d whatever k", k, w.maxBatch, passKBatch)
		}
		peaks[k] = w.peakHeap
	}
	if peaks[1000] > peaks[100]+1<<20 {
		t.Errorf("live heap while sampling: %d MiB at k=100, %d MiB at k=1000; memory grows with k", peaks[100]>>20, peaks[1000]>>20)
	}
	t.Logf("peak live heap: k=100 %.1f MiB, k=1000 %.1f MiB", float64(peaks[100])/(1<<20), float64(peaks[1000])/(1<<20))
}
