package distrib

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"grit/policy"
	"grit/trainers"
)

// aheadWatch plays rounds through l and records, when each step's round 0 starts, the tasks of
// that round a plain subscriber to the task subject has seen: id -> the version it names.
type aheadWatch struct {
	l       *Learner
	nc      *nats.Conn
	mu      sync.Mutex
	tasks   map[string]int // every task published so far
	prompts int
	before  map[int]map[string]int
}

func (a *aheadWatch) PlayRound(ctx context.Context, req trainers.RoundRequest, m trainers.Metrics) ([]*trainers.Trajectory, error) {
	if req.Round == 0 {
		_ = a.nc.Flush()
		a.mu.Lock()
		seen := map[string]int{}
		for g := range req.Tasks {
			if v, ok := a.tasks[taskID(req.Step, 0, g)]; ok {
				seen[taskID(req.Step, 0, g)] = v
			}
		}
		a.before[req.Step] = seen
		a.mu.Unlock()
	}
	return a.l.PlayRound(ctx, req, m)
}

// PolicyReady passes the call on, waits until the next step's tasks are published and then (up to
// 5 s) until the subscriber has seen them: they are there before that step's PlayRound looks.
func (a *aheadWatch) PolicyReady(ctx context.Context, next int, pol policy.Policy) {
	a.l.PolicyReady(ctx, next, pol)
	if a.l.nextIssued != nil {
		err := a.l.nextPublished()
		a.l.nextIssued = make(chan error, 1)
		a.l.nextIssued <- err // the outcome stays for PlayRound
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		a.mu.Lock()
		n := 0
		for id := range a.tasks {
			if strings.HasPrefix(id, taskID(next, 0, 0)[:12]) {
				n++
			}
		}
		a.mu.Unlock()
		if n >= a.prompts {
			return
		}
	}
}

// Synchronous workers: the learner issues round 0 of step s+1 as soon as step s's update made
// version s+1 (PolicyReady), every task naming that version, so a worker holds them before the
// step's PlayRound; step 1's tasks are issued by its PlayRound. The run stays bit-identical to
// the single process and each step counts its own tasks.
func TestSynchronousIssuesNextStepAtPolicyReady(t *testing.T) {
	want := singleRun(t)
	cfg := tinyConfig(t, workerSets...)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := StartLearner(ctx, cfg, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
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
	if len(a.before) != cfg.Steps {
		t.Fatalf("round 0 started %d times, want %d", len(a.before), cfg.Steps)
	}
	for step := 0; step < cfg.Steps; step++ {
		seen := a.before[step]
		if step == 0 {
			if len(seen) != 0 {
				t.Errorf("step 1: %d tasks published before its PlayRound; want none (no update before it)", len(seen))
			}
			continue
		}
		if len(seen) != cfg.PromptsPerStep {
			t.Errorf("step %d: %d of %d tasks published before its PlayRound", step+1, len(seen), cfg.PromptsPerStep)
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
// round 0 and the next step's round 0 only after the update, so no worker holds a task of a
// version still to come while the learner waits for a resampling round; the run is bit-identical
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
