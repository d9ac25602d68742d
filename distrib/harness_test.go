package distrib

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"grit/envs"
	"grit/policy"
	"grit/trainers"
	"grit/trainers/configfile"
)

// tinyConfig is testdata/tiny.yaml with sets applied.
func tinyConfig(t testing.TB, sets ...string) trainers.Config {
	t.Helper()
	cfg, err := configfile.Load("testdata/tiny.yaml", sets, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// workerSets turns workers on with an embedded server on a free loopback port.
var workerSets = []string{"workers.enabled=true", "workers.listen=127.0.0.1:-1", "workers.wait_s=0.3", "workers.ack_wait_s=1"}

var (
	singleOnce sync.Once
	singleDir  string
	singleErr  error
)

// TestMain removes the shared single-process run's folder after the package's tests.
// With benchWorkerEnv set the binary is a rollout worker instead (BenchmarkTrainStep).
func TestMain(m *testing.M) {
	if url := os.Getenv(benchWorkerEnv); url != "" {
		os.Exit(runBenchWorker(url))
	}
	code := m.Run()
	if singleDir != "" {
		os.RemoveAll(filepath.Dir(singleDir))
	}
	os.Exit(code)
}

// singleRun is the tiny config run in one process (computed once per test binary).
func singleRun(t *testing.T) string {
	t.Helper()
	singleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "grit-single-")
		if err != nil {
			singleErr = err
			return
		}
		singleDir = filepath.Join(dir, "run")
		_, singleErr = trainers.Run(context.Background(), tinyConfig(t), trainers.RunOptions{OutDir: singleDir})
	})
	if singleErr != nil {
		t.Fatal(singleErr)
	}
	return singleDir
}

// workerRun runs cfg with a learner; start launches the test's workers once the learner is up and
// returns a func that waits for them after the run.
func workerRun(t *testing.T, cfg trainers.Config, start func(ctx context.Context, url string) (wait func())) (string, *bytes.Buffer) {
	t.Helper()
	return workerRunProgress(t, cfg, start, nil)
}

// workerRunProgress is workerRun with a progress callback (nil: none).
func workerRunProgress(t *testing.T, cfg trainers.Config, start func(ctx context.Context, url string) (wait func()), progress func(trainers.StepReport)) (string, *bytes.Buffer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	var log bytes.Buffer
	ctx, cancel, l := startTestLearner(t, cfg, dir, &syncWriter{w: &log})
	defer cancel()
	defer l.Close()
	wait := func() {}
	if start != nil {
		wait = start(ctx, l.URL)
	}
	_, err := trainers.Run(ctx, cfg, trainers.RunOptions{OutDir: dir, Rollouts: l, Log: &syncWriter{w: &log}, Progress: progress})
	cancel()
	wait()
	if err != nil {
		t.Fatalf("run with workers: %v\nlog:\n%s", err, log.String())
	}
	return dir, &log
}

// startWorkers runs n in-process workers until ctx ends.
func startWorkers(t *testing.T, n int) func(ctx context.Context, url string) func() {
	return func(ctx context.Context, url string) func() {
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				err := RunWorker(ctx, WorkerOptions{URL: url, ID: "w" + string(rune('0'+i)), CacheDir: t.TempDir()})
				if err != nil && ctx.Err() == nil {
					t.Errorf("worker %d: %v", i, err)
				}
			}(i)
		}
		return wg.Wait
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// readMetrics reads metrics.jsonl.
func readMetrics(t testing.TB, dir string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// assertSameRun fails unless got's metrics.jsonl holds every non-timing key of want's with the
// same value (got may add workers/ keys) and the final weights are the same bytes. It returns
// got's metrics.
func assertSameRun(t *testing.T, want, got string) []map[string]any {
	t.Helper()
	wm, gm := readMetrics(t, want), readMetrics(t, got)
	if len(wm) != len(gm) {
		t.Fatalf("metrics.jsonl: %d lines with workers, %d in one process", len(gm), len(wm))
	}
	for i := range wm {
		for k, v := range wm[i] {
			if trainers.IsTimingKey(k) {
				continue
			}
			if gv, ok := gm[i][k]; !ok || gv != v {
				t.Errorf("step %d: %s = %v with workers, %v in one process", i+1, k, gv, v)
			}
		}
		for k := range gm[i] {
			if _, ok := wm[i][k]; !ok && !strings.HasPrefix(k, "workers/") {
				t.Errorf("step %d: key %s only with workers", i+1, k)
			}
		}
	}
	for _, f := range []string{"checkpoints/latest/model.safetensors", "rollouts/step-000003.arrow"} {
		a, err := os.ReadFile(filepath.Join(want, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(got, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "checkpoints/latest/model.safetensors" && !bytes.Equal(a, b) {
			t.Errorf("%s differs between the run with workers and the single process", f)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", f)
		}
	}
	return gm
}

// sumKey adds key over the metrics lines.
func sumKey(lines []map[string]any, key string) float64 {
	s := 0.0
	for _, m := range lines {
		if v, ok := m[key].(float64); ok {
			s += v
		}
	}
	return s
}

// assertKeysDocumented fails for a metrics key that no row of docs/metrics.md names (a <name> in
// a documented key stands for any text).
func assertKeysDocumented(t *testing.T, lines []map[string]any) {
	t.Helper()
	raw, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")
	placeholder := regexp.MustCompile(`<[^>]+>`)
	var docs []*regexp.Regexp
	for _, mt := range row.FindAllStringSubmatch(string(raw), -1) {
		parts := placeholder.Split(mt[1], -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		docs = append(docs, regexp.MustCompile("^"+strings.Join(parts, ".+")+"$"))
	}
	for _, m := range lines {
		for k := range m {
			found := false
			for _, re := range docs {
				found = found || re.MatchString(k)
			}
			if !found {
				t.Errorf("metrics key %q is not in docs/metrics.md", k)
			}
		}
	}
}

// startTestStore starts an embedded server in a temporary folder, connects to it and creates the
// streams and the policy bucket (ack wait 1 s); everything is closed when the test ends.
func startTestStore(ctx context.Context, t testing.TB) (*nats.Conn, jetstream.JetStream, jetstream.ObjectStore) {
	t.Helper()
	srv, err := StartEmbedded("127.0.0.1:-1", t.TempDir(), Auth{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	nc, js, err := connect(srv.URL, Auth{}, "t")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	_, obj, err := setupStreams(ctx, js, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js, obj
}

// tinyPlayer is a group player of cfg on its base policy and the held-out tasks of cfg's env; the
// player is closed when the test ends.
func tinyPlayer(tb testing.TB, cfg trainers.Config) (*trainers.GroupPlayer, []envs.Task) {
	tb.Helper()
	pol, err := policy.LoadPolicy(cfg.Init)
	if err != nil {
		tb.Fatal(err)
	}
	gp, err := trainers.NewGroupPlayer(cfg, pol)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { gp.Close() })
	env, err := envs.New(cfg.Env, cfg.EnvArgs)
	if err != nil {
		tb.Fatal(err)
	}
	return gp, env.Tasks().HeldOut()
}

// prefetchFixture is a test store, a prefetcher on it and the tiny config's base policy.
type prefetchFixture struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	obj jetstream.ObjectStore
	p   *prefetcher
	cfg trainers.Config
	pol policy.Policy
}

// newPrefetchFixture starts a test store and a prefetcher that takes pushes when push is set and
// reads one-chunk versions by direct get when direct is set, logging to log (nil: nowhere); the
// prefetcher stops when the test ends.
func newPrefetchFixture(ctx context.Context, t *testing.T, push, direct bool, log io.Writer) *prefetchFixture {
	t.Helper()
	f := &prefetchFixture{cfg: tinyConfig(t)}
	f.nc, f.js, f.obj = startTestStore(ctx, t)
	var chunks *chunkReader
	if direct {
		if chunks = newChunkReader(ctx, f.js); chunks == nil {
			t.Fatal("no direct get on the policy bucket's stream")
		}
	}
	var pushes *nats.Conn
	if push {
		pushes = f.nc
	}
	var err error
	if f.p, err = startPrefetch(ctx, f.obj, pushes, chunks, log); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.p.stop)
	if f.pol, err = policy.LoadPolicy(f.cfg.Init); err != nil {
		t.Fatal(err)
	}
	return f
}

// startTestLearner starts a learner for cfg with run folder dir (log: nil = none) and a context
// for its workers. The caller defers cancel and then l.Close (closing first frees the store
// folder, which a second learner of the same run reuses), or calls them earlier.
func startTestLearner(tb testing.TB, cfg trainers.Config, dir string, log io.Writer) (ctx context.Context, cancel context.CancelFunc, l *Learner) {
	tb.Helper()
	ctx, cancel = context.WithCancel(context.Background())
	l, err := StartLearner(ctx, cfg, dir, log)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	return ctx, cancel, l
}
