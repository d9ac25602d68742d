package distrib

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"grit/trainers"
	"grit/trainers/configfile"
)

// benchWorkerEnv, when set in a test binary's environment, makes TestMain run one rollout worker
// connected to that URL instead of the tests (the separate-process variant of BenchmarkTrainStep).
const benchWorkerEnv = "GRITDEV_BENCH_WORKER_URL"

// runBenchWorker is TestMain's worker mode: a `train worker` in this process until it is killed.
func runBenchWorker(url string) int {
	err := RunWorker(context.Background(), WorkerOptions{URL: url, ID: "proc", Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// stepBenchConfig is configs/ci/grpo.yaml (16 prompts x 8 completions, 30 steps) without its
// held-out evaluations, which run on the learner either way and are no part of a training step.
func stepBenchConfig(b *testing.B, sets ...string) trainers.Config {
	b.Helper()
	cfg, err := configfile.Load("../configs/ci/grpo.yaml", append([]string{"eval_every=0"}, sets...), nil)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// debugLog, when set, sees every worker log line of the benchmarks.
var debugLog func([]byte)

// lineSignal is a log writer that closes hit at the first write containing want. It keeps the log
// only until then (for the error message): scanning a log that grows by every task's line would
// cost the benchmark's process more CPU time per step than the step's own logging.
type lineSignal struct {
	mu   sync.Mutex
	want string
	hit  chan struct{}
	seen bool
	text bytes.Buffer
}

func newLineSignal(want string) *lineSignal { return &lineSignal{want: want, hit: make(chan struct{})} }

func (s *lineSignal) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if debugLog != nil {
		debugLog(p)
	}
	if s.seen {
		return len(p), nil
	}
	s.text.Write(p)
	if strings.Contains(s.text.String(), s.want) {
		s.seen = true
		s.text.Reset()
		close(s.hit)
	}
	return len(p), nil
}

func (s *lineSignal) wait(b *testing.B, what string) {
	select {
	case <-s.hit:
	case <-time.After(2 * time.Minute):
		s.mu.Lock()
		defer s.mu.Unlock()
		b.Fatalf("%s did not connect within 2 minutes; its log:\n%s", what, s.text.String())
	}
}

// stepTimes runs cfg once and returns the wall time per step in ms, from the end of step 1 to
// the end of the last step (metrics.jsonl's elapsed_s: steady state, everything between steps
// included), the mean step_s in ms, and each step's wall time in ms (the elapsed_s differences
// of steps 2..last). workers: "none" (workers.enabled false: the trainer samples each whole batch
// itself), "goroutine" (one worker in this process) or "process" (one worker in a child process).
func stepTimes(b *testing.B, cfg trainers.Config, workers string) (wallMS, stepMS float64, perStep []float64) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := trainers.RunOptions{OutDir: dir}
	var done sync.WaitGroup
	if workers != "none" {
		l, err := StartLearner(ctx, cfg, dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		opts.Rollouts = l
		connected := newLineSignal("pulling tasks")
		switch workers {
		case "goroutine":
			done.Add(1)
			go func() {
				defer done.Done()
				if err := RunWorker(ctx, WorkerOptions{URL: l.URL, ID: "g", CacheDir: b.TempDir(), Log: connected}); err != nil && ctx.Err() == nil {
					b.Errorf("worker: %v", err)
				}
			}()
		case "process":
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), benchWorkerEnv+"="+l.URL)
			cmd.Stderr = connected
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			done.Add(1)
			go func() { defer done.Done(); _ = cmd.Wait() }()
		}
		connected.wait(b, "the "+workers+" worker")
	}
	if _, err := trainers.Run(ctx, cfg, opts); err != nil {
		b.Fatal(err)
	}
	cancel()
	done.Wait()
	lines := readMetrics(b, dir)
	for _, m := range lines {
		stepMS += m["step_s"].(float64) * 1000
	}
	n := len(lines)
	wallMS = (lines[n-1]["elapsed_s"].(float64) - lines[0]["elapsed_s"].(float64)) * 1000 / float64(n-1)
	for k := 1; k < n; k++ {
		perStep = append(perStep, (lines[k]["elapsed_s"].(float64)-lines[k-1]["elapsed_s"].(float64))*1000)
	}
	return wallMS, stepMS / float64(n), perStep
}

// median of xs (which it sorts).
func median(xs []float64) float64 {
	sort.Float64s(xs)
	n := len(xs)
	return (xs[n/2] + xs[(n-1)/2]) / 2
}

// A full training step (rollout + update) of configs/ci/grpo.yaml, 30 steps per run: with
// workers.enabled false (the trainer samples each batch of 16 x 8 in one sampler call), with one
// rollout worker in this process, and with one worker in a child process, all on the same cores.
// The three runs alternate within every iteration so they see the same machine load. Metrics:
// each run's wall time per step (stepTimes) and the ratios of the worker runs to the in-process
// one; *_step_s are the same from the mean step_s; *_median are the ratios of the median step
// wall times over every step of every iteration, which a few seconds of a slower machine (this
// shared VM's speed drifts by 10-20% between runs) move less than the means.
func BenchmarkTrainStep(b *testing.B) {
	base := stepBenchConfig(b)
	withWorkers := stepBenchConfig(b, workerSets...)
	variants := []string{"none", "goroutine", "process"}
	wall, step := make([]float64, len(variants)), make([]float64, len(variants))
	steps := make([][]float64, len(variants))
	for i := 0; i < b.N; i++ {
		for k, v := range variants {
			cfg := withWorkers
			if v == "none" {
				cfg = base
			}
			w, s, per := stepTimes(b, cfg, v)
			wall[k], step[k], steps[k] = wall[k]+w, step[k]+s, append(steps[k], per...)
		}
	}
	medians := make([]float64, len(variants))
	for k := range variants {
		medians[k] = median(steps[k])
	}
	n := float64(b.N)
	b.ReportMetric(wall[0]/n, "inproc_ms/step")
	b.ReportMetric(wall[1]/n, "worker_ms/step")
	b.ReportMetric(wall[2]/n, "process_ms/step")
	b.ReportMetric(wall[1]/wall[0], "worker/inproc")
	b.ReportMetric(wall[2]/wall[0], "process/inproc")
	b.ReportMetric(step[1]/step[0], "worker/inproc_step_s")
	b.ReportMetric(step[2]/step[0], "process/inproc_step_s")
	b.ReportMetric(medians[1]/medians[0], "worker/inproc_median")
	b.ReportMetric(medians[2]/medians[0], "process/inproc_median")
}
