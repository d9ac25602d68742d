package distrib

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"grit/policy"
	"grit/trainers"
)

// batchFixture plays three groups of a round and returns their tasks and trajectories.
func batchFixture(t *testing.T) ([]*task, [][]*trainers.Trajectory) {
	t.Helper()
	cfg := tinyConfig(t)
	gp, heldOut := tinyPlayer(t, cfg)
	tks := heldOut[:3]
	groups := []int{0, 1, 2}
	played, err := gp.PlayGroups(context.Background(), tks, groups, cfg.NumGenerations, cfg.Seed, 1<<8)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range played { // what a worker's result names: the version of the tasks below
		for _, tr := range g {
			tr.PolicyVersion = 1
		}
	}
	tasks := make([]*task, len(tks))
	for i, tk := range tks {
		tasks[i] = &task{ID: taskID(1, 0, i), Session: "s", Step: 1, Group: i, Copies: cfg.NumGenerations, Seed: cfg.Seed,
			StepKey: 1 << 8, Version: 1, Task: tk}
	}
	return tasks, played
}

// A batch result gives back every group exactly as a single result of that group does, skips the
// rows of tasks the learner no longer waits for, and is refused when its rows do not match the
// task list or an episode is missing.
func TestBatchResultRoundTrip(t *testing.T) {
	tasks, played := batchFixture(t)
	metas := make([]resultMeta, len(tasks))
	ids := make([]string, len(tasks))
	byID := map[string]*task{}
	for i, tk := range tasks {
		metas[i] = resultMeta{TaskID: tk.ID, WorkerID: "w", Version: 1, Group: tk.Group}
		ids[i], byID[tk.ID] = tk.ID, tk
	}
	body, err := encodeResults(metas, played)
	if err != nil {
		t.Fatal(err)
	}
	groups, worker, version, err := decodeResults(body, ids, func(id string) *task { return byID[id] })
	if err != nil || worker != "w" || version != 1 {
		t.Fatalf("decode: worker %q version %d: %v", worker, version, err)
	}
	for i, tk := range tasks {
		single, err := encodeResult(metas[i], played[i])
		if err != nil {
			t.Fatal(err)
		}
		want, _, _, err := decodeResult(single, tk)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(groups[tk.ID], want) || !reflect.DeepEqual(groups[tk.ID], played[i]) {
			t.Fatalf("group %d from the batch differs from its single result", i)
		}
	}
	// the learner waits only for the middle task: the others' rows are skipped
	only := func(id string) *task {
		if id == ids[1] {
			return byID[id]
		}
		return nil
	}
	groups, _, _, err = decodeResults(body, ids, only)
	if err != nil || len(groups) != 1 || !reflect.DeepEqual(groups[ids[1]], played[1]) {
		t.Fatalf("one task wanted: %d groups, %v", len(groups), err)
	}
	lookup := func(id string) *task { return byID[id] }
	for name, c := range map[string]struct {
		ids  []string
		want string
	}{
		"listed out of order":  {[]string{ids[1], ids[0], ids[2]}, "where the header lists"},
		"a task listed twice":  {[]string{ids[0], ids[0], ids[1], ids[2]}, "where the header lists"},
		"a listed task absent": {append(append([]string{}, ids...), taskID(1, 0, 9)), "no rows for tasks"},
	} {
		if _, _, _, err := decodeResults(body, c.ids, lookup); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error saying %q", name, err, c.want)
		}
	}
	short := append([][]*trainers.Trajectory{}, played...)
	short[2] = short[2][:len(short[2])-1]
	body, err = encodeResults(metas, short)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := decodeResults(body, ids, lookup); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("an episode missing: %v", err)
	}
	if _, _, _, err := decodeResults([]byte("not arrow"), ids, lookup); err == nil {
		t.Fatal("bytes that are not Arrow were decoded")
	}
}

// Batch results that cannot be read or that name another policy version are rejected like single
// ones: counted, their tasks reissued and done by an honest worker; the run is the single process's.
func TestBadBatchResultsAreRejected(t *testing.T) {
	want := singleRun(t)
	got, log := workerRun(t, tinyConfig(t, workerSets...), then(func(ctx context.Context, url string) {
		for i := 0; i < 2; i++ {
			nc, js, msg := grabTask(t, ctx, url)
			if msg == nil {
				t.Error("the bad worker got no task")
				return
			}
			tk, err := decodeTask(msg.Data())
			if err != nil {
				t.Error(err)
				return
			}
			body := []byte("definitely not arrow")
			if i == 1 {
				trajs := make([]*trainers.Trajectory, tk.Copies)
				for c := range trajs {
					trajs[c] = &trainers.Trajectory{Task: tk.Task, Group: tk.Group, Index: c, Turns: []trainers.EpisodeTurn{{
						Context: []int{1}, Gen: policy.Generation{Tokens: []int{3}, LogProbs: []float32{-0.5}, Finished: true}}}}
				}
				meta := resultMeta{TaskID: tk.ID, WorkerID: "badb", Version: tk.Version + 1, Group: tk.Group}
				if body, err = encodeResults([]resultMeta{meta}, [][]*trainers.Trajectory{trajs}); err != nil {
					t.Error(err)
					return
				}
			}
			out := nats.NewMsg(resultsSubject)
			out.Data = body
			out.Header.Set(hdrTasks, tk.ID)
			out.Header.Set(hdrSession, tk.Session)
			out.Header.Set(hdrWorker, "badb")
			if _, err := js.PublishMsg(ctx, out); err != nil {
				t.Error(err)
			}
			if err := msg.Ack(); err != nil {
				t.Error(err)
			}
			nc.Close()
		}
	}, startWorkers(t, 1)))
	m := assertSameRun(t, want, got)
	if r := sumKey(m, "workers/rejected"); r != 2 {
		t.Fatalf("workers/rejected = %v; want 2\n%s", r, log)
	}
	if tasks := sumKey(m, "workers/tasks"); tasks != 14 {
		t.Fatalf("workers/tasks = %v; want 12 + 2 reissued", tasks)
	}
	if !strings.Contains(log.String(), "not an Arrow IPC stream") || !strings.Contains(log.String(), "sampled with policy version") {
		t.Fatalf("log does not say why the batch results were rejected:\n%s", log)
	}
}
