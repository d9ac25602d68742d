package distrib

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"grit/policy"
	"grit/trainers"
)

// grabTask connects as a fake worker and pulls one task of the work queue (waiting for the learner
// to create it and publish); the caller decides what to do with it.
func grabTask(t *testing.T, ctx context.Context, url string) (*nats.Conn, jetstream.JetStream, jetstream.Msg) {
	t.Helper()
	nc, js, err := connect(url, Auth{}, "fake-worker")
	if err != nil {
		t.Error(err)
		return nil, nil, nil
	}
	for ctx.Err() == nil {
		cons, err := js.Consumer(ctx, tasksStream, workersConsumer)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			continue
		}
		for msg := range batch.Messages() {
			return nc, js, msg
		}
	}
	nc.Close()
	return nil, nil, nil
}

// then runs first in the background (a misbehaving worker) and starts next when it is done; the
// returned func waits for both.
func then(first func(ctx context.Context, url string), next func(ctx context.Context, url string) func()) func(ctx context.Context, url string) func() {
	return func(ctx context.Context, url string) func() {
		done := make(chan func())
		go func() {
			first(ctx, url)
			done <- next(ctx, url)
		}()
		return func() { (<-done)() }
	}
}

// A worker that dies holding a task (no ack): JetStream redelivers it after workers.ack_wait_s to
// a live worker, the group is done once, and the run is still the single-process run.
func TestKilledWorkerTaskIsRedeliveredAndDoneOnce(t *testing.T) {
	want := singleRun(t)
	got, log := workerRun(t, tinyConfig(t, workerSets...), then(func(ctx context.Context, url string) {
		nc, _, msg := grabTask(t, ctx, url)
		if msg == nil {
			t.Error("the dying worker got no task")
			return
		}
		nc.Close() // dies mid-task: the task is neither acked nor nak'ed
	}, startWorkers(t, 1)))
	m := assertSameRun(t, want, got)
	if r := sumKey(m, "workers/redelivered"); r < 1 {
		t.Fatalf("workers/redelivered = %v; the dead worker's task was not redelivered\n%s", r, log)
	}
	if tasks := sumKey(m, "workers/tasks"); tasks != 12 {
		t.Fatalf("workers/tasks = %v; want 12 (a redelivery is not a new task)", tasks)
	}
}

// Results that are not a group's rollouts (bytes that are not Arrow; Arrow of another schema; a
// well-formed result sampled with another policy version than the task names) are rejected,
// counted, and their tasks reissued and done by an honest worker.
func TestGarbageResultsAreRejectedAndTasksRedone(t *testing.T) {
	want := singleRun(t)
	got, log := workerRun(t, tinyConfig(t, workerSets...), then(func(ctx context.Context, url string) {
		for i := 0; i < 3; i++ {
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
			body := [][]byte{[]byte("definitely not arrow"), wrongSchemaIPC(t), wrongVersionResult(t, tk, "bad2")}[i]
			out := nats.NewMsg(resultsSubject)
			out.Data = body
			out.Header.Set(hdrTask, tk.ID)
			out.Header.Set(hdrSession, tk.Session)
			out.Header.Set(hdrWorker, "bad"+string(rune('0'+i)))
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
	if r := sumKey(m, "workers/rejected"); r != 3 {
		t.Fatalf("workers/rejected = %v; want 3\n%s", r, log)
	}
	if tasks := sumKey(m, "workers/tasks"); tasks != 15 {
		t.Fatalf("workers/tasks = %v; want 12 + 3 reissued", tasks)
	}
	if !strings.Contains(log.String(), "wrong schema") || !strings.Contains(log.String(), "not an Arrow IPC stream") ||
		!strings.Contains(log.String(), "sampled with policy version") {
		t.Fatalf("log does not say why the results were rejected:\n%s", log)
	}
}

// wrongVersionResult is a well-formed result of tk (every episode, one turn each) that says it
// sampled with policy version tk.Version+1.
func wrongVersionResult(t *testing.T, tk *task, worker string) []byte {
	t.Helper()
	trajs := make([]*trainers.Trajectory, tk.Copies)
	for i := range trajs {
		trajs[i] = &trainers.Trajectory{Task: tk.Task, Group: tk.Group, Index: i, Turns: []trainers.EpisodeTurn{{
			Context: []int{1, 2}, Gen: policy.Generation{Tokens: []int{3}, LogProbs: []float32{-0.5}, Finished: true, Text: "x"}}}}
	}
	raw, err := encodeResult(resultMeta{TaskID: tk.ID, WorkerID: worker, Version: tk.Version + 1, Group: tk.Group}, trajs)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// wrongSchemaIPC is a valid Arrow IPC stream of a schema that is not resultSchema.
func wrongSchemaIPC(t *testing.T) []byte {
	t.Helper()
	raw, err := encodeResult(resultMeta{TaskID: "x", WorkerID: "bad"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Same bytes with one field renamed: the schema message carries the names.
	return []byte(strings.Replace(string(raw), "logprob_bits", "logprob_bitz", 1))
}

// errCrash stands for the learner process dying mid-step.
var errCrash = errors.New("learner crashed")

// crashingSource issues step crashStep's tasks, waits until a worker has finished one of them (its
// result left in the results stream), and then fails like a killed learner.
// runUntilCrash runs cfg into dir with one in-process worker until the learner fails in step
// crashStep (crashingSource), then stops the worker and closes the learner, as a killed learner
// leaves its run folder and store.
func runUntilCrash(t *testing.T, cfg trainers.Config, dir string, crashStep int) {
	t.Helper()
	ctx, cancel, l := startTestLearner(t, cfg, dir, nil)
	defer cancel()
	defer l.Close()
	wait := startWorkers(t, 1)(ctx, l.URL)
	_, err := trainers.Run(ctx, cfg, trainers.RunOptions{OutDir: dir, Rollouts: &crashingSource{t: t, l: l, crashStep: crashStep}})
	if !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v, want the crash", err)
	}
	cancel()
	wait()
}

type crashingSource struct {
	t         *testing.T
	l         *Learner
	crashStep int
}

func (c *crashingSource) PlayRound(ctx context.Context, req trainers.RoundRequest, m trainers.Metrics) ([]*trainers.Trajectory, error) {
	if req.Step != c.crashStep {
		return c.l.PlayRound(ctx, req, m)
	}
	if _, _, err := c.l.issue(ctx, req); err != nil {
		return nil, err
	}
	// the running worker takes its share of the round (all of it, alone) and publishes results
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		s, err := c.l.js.Stream(ctx, resultsStream)
		if err != nil {
			return nil, err
		}
		if s.CachedInfo().State.Msgs > 0 {
			break
		}
		if time.Now().After(deadline) {
			c.t.Error("no result of the interrupted step within a minute")
			break
		}
	}
	return nil, errCrash
}

// A learner killed mid-step and resumed: the interrupted step's tasks and results are purged, the
// step is reissued, nothing is counted twice, and the run is the single-process run.
func TestResumedLearnerReissuesInterruptedStep(t *testing.T) {
	want := singleRun(t)
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(t, append(append([]string{}, workerSets...), "checkpoint_every=1")...)
	runUntilCrash(t, cfg, dir, 1)

	ctx2, cancel2, l2 := startTestLearner(t, cfg, dir, nil) // same store folder: the stale messages are still there
	defer cancel2()
	defer l2.Close()
	wait := startWorkers(t, 1)(ctx2, l2.URL)
	_, err := trainers.Run(ctx2, cfg, trainers.RunOptions{OutDir: dir, Resume: true, Rollouts: l2})
	cancel2()
	wait()
	if err != nil {
		t.Fatal(err)
	}
	m := assertSameRun(t, want, dir)
	if got := m[1]["workers/tasks"]; got != 4.0 {
		t.Fatalf("resumed step 2: workers/tasks = %v; want 4 (the interrupted step's tasks reissued once)", got)
	}
	if d := sumKey(m[1:], "workers/duplicates"); d != 0 {
		t.Fatalf("resumed steps: workers/duplicates = %v; stale results of the killed learner reached the new one", d)
	}
}

// With no worker for a while and workers.local off, the learner says it is waiting and how to
// start a worker; a worker that joins late finishes the run, which is the single-process run.
func TestLearnerWaitsForLateWorker(t *testing.T) {
	want := singleRun(t)
	got, log := workerRun(t, tinyConfig(t, workerSets...), then(func(context.Context, string) {
		time.Sleep(1200 * time.Millisecond)
	}, startWorkers(t, 1)))
	assertSameRun(t, want, got)
	if !strings.Contains(log.String(), "waiting for workers") || !strings.Contains(log.String(), "train worker --connect nats://") {
		t.Fatalf("no waiting message naming the worker command:\n%s", log)
	}
}

// The embedded server with a token refuses a worker without it, and the error says to check the
// credentials; with the token the worker connects.
func TestEmbeddedServerRequiresCredentials(t *testing.T) {
	srv, err := StartEmbedded("127.0.0.1:-1", t.TempDir(), Auth{Token: "tok-xyz"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := Ping(srv.URL, Auth{}); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("without the token: %v, want an unreachable error that names the credentials", err)
	}
	if err := Ping(srv.URL, Auth{Token: "wrong"}); err == nil {
		t.Fatal("a wrong token was accepted")
	}
	if err := Ping(srv.URL, Auth{Token: "tok-xyz"}); err != nil {
		t.Fatalf("with the token: %v", err)
	}
}
