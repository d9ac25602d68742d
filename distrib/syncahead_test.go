package distrib

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"grit/policy"
	"grit/trainers"
)

// aheadWatch plays rounds through l and records, when the update that makes each step's policy
// version has ended (PolicyReady, before the learner hears of it), the tasks of that step's
// round 0 a plain subscriber to the task subject has seen: id -> the version it names.
type aheadWatch struct {
	l       *Learner
	nc      *nats.Conn
	mu      sync.Mutex
	tasks   map[string]int // every task published so far
	prompts int
	before  map[int]map[string]int
}

func (a *aheadWatch) PlayRound(ctx context.Context, req trainers.RoundRequest, m trainers.Metrics) ([]*trainers.Trajectory, error) {
	return a.l.PlayRound(ctx, req, m)
}

func (a *aheadWatch) StepSampled(ctx context.Context, step int) { a.l.StepSampled(ctx, step) }

// PolicyReady waits until the tasks the learner issued so far are published and then (up to 5
// s) until the subscriber has seen the next step's, records them, and passes the call on.
func (a *aheadWatch) PolicyReady(ctx context.Context, next int, pol policy.Policy) {
	if a.l.nextIssued != nil {
		err := a.l.nextPublished()
		a.l.nextIssued = make(chan error, 1)
		a.l.nextIssued <- err // the outcome stays for PlayRound
	}
	_ = a.nc.Flush()
	seen := map[string]int{}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(seen) < a.prompts; time.Sleep(time.Millisecond) {
		a.mu.Lock()
		for g := 0; g < a.prompts; g++ {
			if v, ok := a.tasks[taskID(next, 0, g)]; ok {
				seen[taskID(next, 0, g)] = v
			}
		}
		a.mu.Unlock()
	}
	a.mu.Lock()
	a.before[next] = seen
	a.mu.Unlock()
	a.l.PolicyReady(ctx, next, pol)
}

// Synchronous workers: the learner issues round 0 of step s+1 as soon as step s's rollouts are
// collected (StepSampled), every task naming version s+1, which the update is still making, so
// a worker holds them before that version exists and samples as soon as it comes; step 1's tasks
// are issued by its PlayRound. The run stays bit-identical to the single process and each step
// counts its own tasks.
func TestSynchronousIssuesNextStepBeforeTheUpdateEnds(t *testing.T) {
	want := singleRun(t)
	cfg := tinyConfig(t, workerSets...)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel, l := startTestLearner(t, cfg, dir, nil)
	defer cancel()
	defer l.Close()
	nc, err := nats.Connect(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	a := &aheadWatch{l: l, nc: nc, tasks: map[string]int{}, before: map[int]map[string]int{}, prompts: cfg.PromptsPerStep}
	if _, err := nc.Subscribe(tasksSubject, func(msg *nats.Msg) {
		if tk, err := decodeTask(msg.Data); err == nil {
			a.mu.Lock()
			a.tasks[tk.ID] = tk.Version
			a.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	wait := startWorkers(t, 1)(ctx, l.URL)
	_, err = trainers.Run(ctx, cfg, trainers.RunOptions{OutDir: dir, Rollouts: a})
	cancel()
	wait()
	if err != nil {
		t.Fatal(err)
	}
	m := assertSameRun(t, want, dir)
	if len(a.before) != cfg.Steps-1 {
		t.Fatalf("PolicyReady was called %d times, want %d", len(a.before), cfg.Steps-1)
	}
	for step := 1; step < cfg.Steps; step++ {
		seen := a.before[step]
		if len(seen) != cfg.PromptsPerStep {
			t.Errorf("step %d: %d of %d tasks published before the update that makes its version ended", step+1, len(seen), cfg.PromptsPerStep)
		}
		for id, v := range seen {
			if v != step {
				t.Errorf("task %s names version %d, want %d", id, v, step)
			}
		}
	}
	for i, line := range m {
		if line["workers/tasks"] != float64(cfg.PromptsPerStep) {
			t.Errorf("step %d: workers/tasks %v, want %d", i+1, line["workers/tasks"], cfg.PromptsPerStep)
		}
	}
}

// Synchronous workers with dynamic sampling: a step's later rounds are issued after the step's
// round 0 and the next step's round 0 only after the step's last round, so no worker holds a
// task of a version still to come while the learner waits for a resampling round; the run is bit-identical
// to the single process, and resampling did happen.
func TestSynchronousDynamicSamplingBitIdentical(t *testing.T) {
	sets := []string{"dynamic_sampling=true", "max_resample_rounds=2"}
	single := filepath.Join(t.TempDir(), "single")
	if _, err := trainers.Run(context.Background(), tinyConfig(t, sets...), trainers.RunOptions{OutDir: single}); err != nil {
		t.Fatal(err)
	}
	got, _ := workerRun(t, tinyConfig(t, append(append([]string{}, workerSets...), sets...)...), startWorkers(t, 1))
	m := assertSameRun(t, single, got)
	if sumKey(m, "groups_dropped") == 0 {
		t.Error("no group was dropped: no step had a resampling round, so this test shows nothing about them")
	}
}
