package distrib

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"grit/rl/store"
	"grit/trainers"
)

// bucketWatch plays rounds through l and, after each, lists the policy versions in the bucket.
type bucketWatch struct {
	t        *testing.T
	l        *Learner
	versions map[int][]int // step -> versions in the bucket after its round 0
}

func (b *bucketWatch) PlayRound(ctx context.Context, req trainers.RoundRequest, m trainers.Metrics) ([]*trainers.Trajectory, error) {
	out, err := b.l.PlayRound(ctx, req, m)
	if err != nil || req.Round != 0 {
		return out, err
	}
	infos, lerr := b.l.obj.List(ctx)
	if lerr != nil && !errors.Is(lerr, jetstream.ErrNoObjectsFound) {
		b.t.Error(lerr)
	}
	seen := map[int]bool{}
	for _, info := range infos {
		var v int
		if _, err := fmtSscanVersion(info.Name, &v); err == nil && !seen[v] {
			seen[v] = true
			b.versions[req.Step] = append(b.versions[req.Step], v)
		}
	}
	sort.Ints(b.versions[req.Step])
	return out, nil
}

// With workers.max_staleness 1 and one in-process worker the run completes; step 1 samples from
// version 0 (lag 0) and every later step's groups were issued a step ahead (lag exactly 1, never
// more); each step logs the lag and the train/sample log-prob mismatch; the bucket holds only the
// last two versions.
func TestAsyncWorkersStaleness1(t *testing.T) {
	cfg := tinyConfig(t, append(append([]string{}, workerSets...), "workers.max_staleness=1")...)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel, l := startTestLearner(t, cfg, dir, nil)
	defer cancel()
	defer l.Close()
	resultVersions := watchResultVersions(t, l.URL)
	wait := startWorkers(t, 1)(ctx, l.URL)
	watch := &bucketWatch{t: t, l: l, versions: map[int][]int{}}
	_, err := trainers.Run(ctx, cfg, trainers.RunOptions{OutDir: dir, Rollouts: watch})
	cancel()
	wait()
	if err != nil {
		t.Fatal(err)
	}
	// Every stored row carries the version its worker's result names: 0 for step 1, then the
	// version one step older than the step's own (s-2 for step s).
	stale := 0
	for step, versions := range storedVersions(t, dir, 3) {
		for group, vs := range versions {
			sent := resultVersions()[taskID(step-1, 0, group)]
			if len(sent) != 1 {
				t.Fatalf("step %d group %d: results named versions %v; want one", step, group, sent)
			}
			want := max(step-2, 0)
			for _, v := range vs {
				if v != sent[0] || v != want {
					t.Errorf("step %d group %d: stored policy_version %d; the worker's result says %d, want %d", step, group, v, sent[0], want)
				}
				if v < step-1 {
					stale++
				}
			}
		}
	}
	if stale == 0 {
		t.Error("no stored row is stale (policy_version < step-1): the check above shows nothing about staleness")
	}
	m := readMetrics(t, dir)
	if len(m) != 3 {
		t.Fatalf("%d metrics lines, want 3", len(m))
	}
	assertKeysDocumented(t, m)
	for i, line := range m {
		wantLag := 1.0
		if i == 0 {
			wantLag = 0
		}
		if line["workers/policy_lag_max"] != wantLag || line["workers/policy_lag_mean"] != wantLag {
			t.Errorf("step %d: policy lag max %v mean %v, want %v", i+1, line["workers/policy_lag_max"], line["workers/policy_lag_mean"], wantLag)
		}
		mis, ok := line["workers/logp_mismatch"].(float64)
		if !ok || mis < 0 {
			t.Errorf("step %d: workers/logp_mismatch = %v, want a mean >= 0", i+1, line["workers/logp_mismatch"])
		}
		t.Logf("step %d: lag %v, logp mismatch %v", i+1, line["workers/policy_lag_max"], mis)
	}
	// Steps 2 and 3 sampled with the policy one update older than the learner's: their log-probs
	// differ from the learner's by more than step 1's (same policy, only float noise).
	if m[1]["workers/logp_mismatch"].(float64) <= m[0]["workers/logp_mismatch"].(float64) {
		t.Errorf("stale step's mismatch %v not above the fresh step's %v", m[1]["workers/logp_mismatch"], m[0]["workers/logp_mismatch"])
	}
	if tasks := sumKey(m, "workers/tasks"); tasks != 12 {
		t.Errorf("workers/tasks summed to %v; want 12 (each group issued once, none past the last step)", tasks)
	}
	if len(watch.versions) != 3 {
		t.Fatalf("bucket listed after %d steps, want 3", len(watch.versions))
	}
	for step, vs := range watch.versions {
		want := []int{step} // version s samples step s; s-1 stays for the tasks issued ahead with it
		if step > 0 {
			want = []int{step - 1, step}
		}
		if fmt.Sprint(vs) != fmt.Sprint(want) {
			t.Errorf("after step %d the bucket holds versions %v; want %v", step+1, vs, want)
		}
	}
}

// watchResultVersions subscribes to the results subject (a plain NATS subscriber sees every result
// the workers publish, besides the learner's JetStream consumer) and returns a func that gives, per
// task id, the policy_version values the result messages' rows hold, read from the Arrow body by
// column name.
func watchResultVersions(t *testing.T, url string) func() map[string][]int {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	var mu sync.Mutex
	seen := map[string][]int{}
	_, err = nc.Subscribe(resultsSubject, func(msg *nats.Msg) {
		rd, err := ipc.NewReader(bytes.NewReader(msg.Data))
		if err != nil {
			t.Errorf("result message: %v", err)
			return
		}
		defer rd.Release()
		mu.Lock()
		defer mu.Unlock()
		for rd.Next() { // a worker's batch result holds the rows of several tasks: key by each row's task
			rec := rd.Record()
			ids := rec.Column(rec.Schema().FieldIndices("task_id")[0]).(*array.String)
			col := rec.Column(rec.Schema().FieldIndices("policy_version")[0]).(*array.Int64)
			for i := 0; i < col.Len(); i++ {
				if id, v := ids.Value(i), int(col.Value(i)); !slices.Contains(seen[id], v) {
					seen[id] = append(seen[id], v)
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return func() map[string][]int {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(seen)
	}
}

// storedVersions reads the policy_version of every row of the run's step files 1..steps: step ->
// group -> the versions of its rows (one per turn of each sample).
func storedVersions(t *testing.T, dir string, steps int) map[int]map[int][]int {
	t.Helper()
	out := map[int]map[int][]int{}
	for step := 1; step <= steps; step++ {
		rec, err := store.ReadStepFile(memory.DefaultAllocator, store.StepFilePath(dir, step))
		if err != nil {
			t.Fatal(err)
		}
		col := rec.Column(rec.Schema().FieldIndices("policy_version")[0]).(*array.Int64)
		groups := rec.Column(rec.Schema().FieldIndices("group")[0]).(*array.Int32)
		out[step] = map[int][]int{}
		for i := 0; i < int(rec.NumRows()); i++ {
			g := int(groups.Value(i))
			out[step][g] = append(out[step][g], int(col.Value(i)))
		}
		rec.Release()
	}
	return out
}

// fmtSscanVersion reads the version of a bucket object name (vNNNNNN/... or vNNNNNN.json).
func fmtSscanVersion(name string, v *int) (int, error) { return fmt.Sscanf(name, "v%06d", v) }

// An asynchronous run with workers only repeats bit for bit whatever the arrival order: each task
// names its policy version and its seeds, so 1 and 2 workers give the same metrics (timing and
// wire-count keys aside; the lag and the log-prob mismatch included) and the same weights.
func TestAsyncWorkersRepeatable(t *testing.T) {
	assertAsyncRepeatable(t)
}

// nft and hdpo learn from asynchronous samples too (their ratio's behaviour policy is the
// sampler's log-probs, as grpo's): each run repeats bit for bit with 1 and 2 workers, step 1
// samples from version 0 and every later step one version behind, and the train/sample log-prob
// mismatch of the stale steps is logged and not zero.
func TestAsyncWorkersNFTAndHDPO(t *testing.T) {
	for _, sets := range [][]string{{"algo=nft"}, {"algo=hdpo", "hdpo.efficiency=tokens"}} {
		t.Run(sets[0], func(t *testing.T) {
			m := assertAsyncRepeatable(t, sets...)
			if n := sumKey(m, "updates"); n < 2 {
				t.Fatalf("%v optimizer updates in 3 steps: too few for this test to show anything", n)
			}
			for i, line := range m {
				lag, mismatch := line["workers/policy_lag_mean"], line["workers/logp_mismatch"]
				if i == 0 && lag != 0.0 || i > 0 && lag != 1.0 {
					t.Errorf("step %d: workers/policy_lag_mean %v, want %d", i+1, lag, min(i, 1))
				}
				if x, ok := mismatch.(float64); i > 0 && (!ok || !(x > 0)) {
					t.Errorf("step %d: workers/logp_mismatch %v, want > 0 (sampled one version behind)", i+1, mismatch)
				}
			}
		})
	}
}

// assertAsyncRepeatable runs the tiny config with workers.max_staleness 1 (plus sets) with one
// worker and with two, checks that both runs log the same metrics (timing and wire counts aside)
// and end with the same weights, and returns the first run's metrics.
func assertAsyncRepeatable(t *testing.T, extra ...string) []map[string]any {
	t.Helper()
	sets := append(append(append([]string{}, workerSets...), "workers.max_staleness=1"), extra...)
	one, _ := workerRun(t, tinyConfig(t, sets...), startWorkers(t, 1))
	two, _ := workerRun(t, tinyConfig(t, sets...), startWorkers(t, 2))
	a, b := readMetrics(t, one), readMetrics(t, two)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("%d and %d metrics lines, want 3", len(a), len(b))
	}
	compared := 0
	for i := range a {
		for k, v := range a[i] {
			wire := strings.HasPrefix(k, "workers/") && !strings.HasPrefix(k, "workers/policy_lag") && k != "workers/logp_mismatch"
			if trainers.IsTimingKey(k) || wire {
				continue
			}
			compared++
			if b[i][k] != v {
				t.Errorf("step %d: %s = %v with 1 worker, %v with 2", i+1, k, v, b[i][k])
			}
		}
	}
	if compared < 30 {
		t.Fatalf("only %d values compared", compared)
	}
	wa, err := os.ReadFile(filepath.Join(one, "checkpoints/latest/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	wb, err := os.ReadFile(filepath.Join(two, "checkpoints/latest/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wa, wb) {
		t.Error("final weights differ between the asynchronous runs with 1 and 2 workers")
	}
	return a
}

// An asynchronous run is not the synchronous one: its later steps learn from samples of an older
// policy, so the final weights differ (the async test above would pass vacuously otherwise).
func TestAsyncDiffersFromSynchronous(t *testing.T) {
	want := singleRun(t)
	got, _ := workerRun(t, tinyConfig(t, append(append([]string{}, workerSets...), "workers.max_staleness=1")...), startWorkers(t, 1))
	wa, err := os.ReadFile(filepath.Join(want, "checkpoints/latest/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	wb, err := os.ReadFile(filepath.Join(got, "checkpoints/latest/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(wa, wb) {
		t.Error("asynchronous run with max_staleness 1 ended with the synchronous run's weights")
	}
}

// Dynamic sampling with asynchronous workers: round 0 comes from the tasks issued ahead, extra
// rounds are issued when needed; the run completes and the lag stays within max_staleness.
func TestAsyncWorkersDynamicSampling(t *testing.T) {
	sets := append(append([]string{}, workerSets...), "workers.max_staleness=2", "dynamic_sampling=true", "max_resample_rounds=2")
	dir, log := workerRun(t, tinyConfig(t, sets...), startWorkers(t, 1))
	m := readMetrics(t, dir)
	if len(m) != 3 {
		t.Fatalf("%d metrics lines, want 3\n%s", len(m), log)
	}
	for i, line := range m {
		if lag, ok := line["workers/policy_lag_max"].(float64); !ok || lag > 2 || lag > float64(i) {
			t.Errorf("step %d: workers/policy_lag_max = %v; want at most min(2, %d)", i+1, line["workers/policy_lag_max"], i)
		}
	}
	if sumKey(m, "groups_dropped") == 0 {
		t.Error("no group was dropped: no extra round was played, the test shows nothing about them")
	}
	if lag := m[2]["workers/policy_lag_max"]; lag != 2.0 {
		t.Errorf("step 3: round 0 was issued at step 1 with version 0; lag %v, want 2", lag)
	}
}

// workers.weights_dtype bf16 (asynchronous): the run completes, and step 1, which samples from the
// learner's own version, now shows the bf16 rounding in its log-prob mismatch (with f32 weights it
// is float noise, ~1e-7; TestAsyncWorkersStaleness1 logs it).
func TestAsyncWorkersBF16Weights(t *testing.T) {
	sets := append(append([]string{}, workerSets...), "workers.max_staleness=1", "workers.weights_dtype=bf16")
	dir, log := workerRun(t, tinyConfig(t, sets...), startWorkers(t, 1))
	m := readMetrics(t, dir)
	if len(m) != 3 {
		t.Fatalf("%d metrics lines, want 3\n%s", len(m), log)
	}
	mis, ok := m[0]["workers/logp_mismatch"].(float64)
	if !ok || mis < 1e-4 {
		t.Errorf("step 1: workers/logp_mismatch = %v with bf16 weights; want > 1e-4 (the rounding)", m[0]["workers/logp_mismatch"])
	}
	if sumKey(m, "workers/count") == 0 {
		t.Error("no worker result was accepted")
	}
	t.Logf("step 1 mismatch with bf16 weights: %v", mis)
}

// Resume in asynchronous mode: the killed learner had issued step 2's tasks ahead (policy version
// 0); the new learner drops them (purged with the streams) and restarts issuing from the
// checkpointed step: step 2 samples from the resumed policy (lag 0), step 3 again one step ahead.
func TestAsyncResumeRestartsIssuing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(t, append(append([]string{}, workerSets...), "checkpoint_every=1", "workers.max_staleness=1")...)
	runUntilCrash(t, cfg, dir, 1)

	ctx2, cancel2, l2 := startTestLearner(t, cfg, dir, nil)
	defer cancel2()
	defer l2.Close()
	wait := startWorkers(t, 1)(ctx2, l2.URL)
	_, err := trainers.Run(ctx2, cfg, trainers.RunOptions{OutDir: dir, Resume: true, Rollouts: l2})
	cancel2()
	wait()
	if err != nil {
		t.Fatal(err)
	}
	m := readMetrics(t, dir)
	if len(m) != 3 {
		t.Fatalf("%d metrics lines, want 3", len(m))
	}
	for i, want := range []float64{0, 0, 1} {
		if got := m[i]["workers/policy_lag_max"]; got != want {
			t.Errorf("step %d: workers/policy_lag_max = %v, want %v", i+1, got, want)
		}
	}
	if got := m[1]["workers/tasks"]; got != 8.0 {
		t.Errorf("resumed step 2: workers/tasks = %v; want 4 (its own, reissued) + 4 (step 3 ahead)", got)
	}
	if d := sumKey(m[1:], "workers/duplicates"); d != 0 {
		t.Errorf("resumed steps: workers/duplicates = %v; results of the killed learner reached the new one", d)
	}
}
