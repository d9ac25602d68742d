package distrib

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"grit/envs"
	"grit/policy"
	"grit/trainers"
)

// Several groups of a round played together in one sampler call give each group exactly what it
// gives played alone (the worker's batches rest on this).
func TestPlayGroupsEqualsPlayGroup(t *testing.T) {
	cfg := tinyConfig(t, "num_generations=5")
	gp, heldOut := tinyPlayer(t, cfg)
	tasks := heldOut[:4]
	groups := []int{2, 0, 7, 3} // any groups of the round, in any order
	ctx := context.Background()
	together, err := gp.PlayGroups(ctx, tasks, groups, cfg.NumGenerations, cfg.Seed, 5<<8|1)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range groups {
		alone, err := gp.PlayGroup(ctx, tasks[i], g, cfg.NumGenerations, cfg.Seed, 5<<8|1)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(together[i], alone) {
			t.Fatalf("group %d played with others differs from group %d played alone", g, g)
		}
	}
	if reflect.DeepEqual(together[0], together[1]) {
		t.Fatal("two groups gave the same trajectories: the comparison above proves nothing")
	}
	if _, err := gp.PlayGroups(ctx, tasks, groups[:2], cfg.NumGenerations, cfg.Seed, 0); err == nil {
		t.Fatal("4 tasks for 2 groups accepted")
	}
}

// A learner splits a round among the workers waiting for tasks: with two pull requests waiting,
// each task says a worker takes half of the round.
func TestRoundSharedAmongWaitingWorkers(t *testing.T) {
	cfg := tinyConfig(t, append(append([]string{}, workerSets...), "prompts_per_step=6")...)
	ctx, cancel, l := startTestLearner(t, cfg, t.TempDir(), nil)
	defer cancel()
	defer l.Close()
	if got := l.share(ctx); got != 1 {
		t.Fatalf("share with nobody waiting: %d, want 1", got)
	}
	got := make(chan *task, 8)
	for range 2 { // two idle workers, each with one pull request waiting
		go func() {
			nc, js, err := connect(l.URL, Auth{}, "waiting-worker")
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			cons, err := js.Consumer(ctx, tasksStream, workersConsumer)
			if err != nil {
				t.Error(err)
				return
			}
			batch, err := cons.Fetch(1, jetstream.FetchMaxWait(20*time.Second))
			if err != nil {
				t.Error(err)
				return
			}
			for msg := range batch.Messages() {
				tk, _ := decodeTask(msg.Data())
				got <- tk
			}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); l.share(ctx) != 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("share stayed %d with two workers waiting", l.share(ctx))
		}
	}
	env, _ := envs.New(cfg.Env, cfg.EnvArgs)
	pol, _ := policy.LoadPolicy(cfg.Init)
	req := trainers.RoundRequest{Tasks: env.Tasks().HeldOut()[:6], Copies: cfg.NumGenerations, Seed: cfg.Seed, Policy: pol}
	if _, _, err := l.issue(ctx, req); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case tk := <-got:
			if tk == nil || tk.Batch != 3 {
				t.Fatalf("task %+v: want Batch 3 (6 groups, 2 workers)", tk)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a waiting worker got no task")
		}
	}
}

// A worker loads a new version of the same run into the policy it holds (no new cache folder,
// no new player), with exactly the learner's values; a version of another run is loaded in full.
func TestWorkerLoadsNewVersionInPlace(t *testing.T) {
	ctx := context.Background()
	nc, _, obj := startTestStore(ctx, t)
	cfg := tinyConfig(t)
	learner, err := policy.LoadPolicy(cfg.Init)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := newPolicyPublisher(obj, nil, cfg, chunkOptions(nc.MaxPayload()))
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{opts: WorkerOptions{CacheDir: t.TempDir()}, obj: obj, version: -1, loadedDir: -1}
	defer func() { w.player.Close() }()
	var first policy.Policy
	for v := range 3 {
		if err := pub.publish(ctx, v, learner, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.usePolicy(ctx, v); err != nil {
			t.Fatal(err)
		}
		if v == 0 && pub.layout == nil {
			t.Fatal("the learner saves every version: the base policy's weights file has no plain layout")
		}
		if v == 0 {
			first = w.loaded.pol
		}
		if w.loadedDir != 0 || w.loaded.pol != first || w.version != v {
			t.Fatalf("version %d: loaded in full into the cache (folder v%d)", v, w.loadedDir)
		}
		if v > 0 {
			if _, err := os.Stat(w.versionPath(v)); !os.IsNotExist(err) {
				t.Fatalf("version %d was written to the cache folder", v)
			}
		}
		for i, p := range learner.Params() {
			q := w.loaded.pol.Params()[i]
			for j := range p.Value.Data {
				if math.Float32bits(p.Value.Data[j]) != math.Float32bits(q.Value.Data[j]) {
					t.Fatalf("version %d: worker's %s[%d] = %v, learner's %v", v, p.Name, j, q.Value.Data[j], p.Value.Data[j])
				}
			}
		}
		perturb(learner, float32(v+1))
	}
	held := w.loaded.pol
	other := cfg
	other.Seed++
	pub2, err := newPolicyPublisher(obj, nil, other, chunkOptions(nc.MaxPayload()))
	if err != nil {
		t.Fatal(err)
	}
	if err := pub2.publish(ctx, 3, learner, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.usePolicy(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if w.loadedDir != 3 || w.loaded.pol == held {
		t.Fatal("a version of another run (other config) was loaded in place")
	}
}

// A worker's prefetcher downloads a version as soon as it is put: the version is still served
// after the learner deleted it from the bucket, once; a version it does not hold is downloaded on
// demand. Both with the Object Store's Get and with direct gets of one-chunk versions.
func TestPrefetcherHoldsNewestVersion(t *testing.T) {
	for _, direct := range []bool{false, true} {
		t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) { testPrefetcher(t, direct) })
	}
}

func testPrefetcher(t *testing.T, direct bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newPrefetchFixture(ctx, t, false, direct, nil)
	nc, obj, p, cfg, pol := f.nc, f.obj, f.p, f.cfg, f.pol
	for _, v := range []int{4, 5} {
		if err := publishPolicy(ctx, obj, v, pol, cfg, chunkOptions(nc.MaxPayload())); err != nil {
			t.Fatal(err)
		}
	}
	waitNewest(t, p, 5)
	if err := deleteVersions(ctx, obj, []int{4, 5}); err != nil {
		t.Fatal(err)
	}
	b, err := p.get(ctx, 5)
	if err != nil || b.Version != 5 || len(b.data[policy.WeightsFile]) == 0 {
		t.Fatalf("prefetched version 5: %v", err)
	}
	if _, err := p.get(ctx, 5); !errors.Is(err, errNoVersion) {
		t.Fatalf("version 5 a second time, deleted from the bucket: %v; want errNoVersion (downloaded on demand)", err)
	}
	if _, err := p.get(ctx, 4); !errors.Is(err, errNoVersion) {
		t.Fatalf("version 4, never held, deleted: %v; want errNoVersion", err)
	}
}
