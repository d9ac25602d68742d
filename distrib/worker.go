package distrib

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"grit/trainers"
)

// WorkerOptions configure a rollout worker (`train worker`).
type WorkerOptions struct {
	URL      string
	Auth     Auth
	ID       string    // worker id in results and metrics; "" = host-pid
	CacheDir string    // where policy versions are downloaded; "" = a temporary folder
	Log      io.Writer // one progress line per task (stderr)
	MaxTasks int       // stop after this many tasks (tests); 0 = run until ctx is cancelled
}

// DefaultWorkerID is host-pid with characters other than letters, digits, '-' and '_' replaced.
func DefaultWorkerID() string {
	host, _ := os.Hostname()
	return sanitizeID(fmt.Sprintf("%s-%d", host, os.Getpid()))
}

var badIDChars = regexp.MustCompile(`[^A-Za-z0-9_-]`)

func sanitizeID(s string) string { return badIDChars.ReplaceAllString(s, "_") }

// worker is a running worker's state.
type worker struct {
	opts    WorkerOptions
	js      jetstream.JetStream
	obj     jetstream.ObjectStore
	player  *trainers.GroupPlayer
	version int           // version the player samples with; -1 = none
	cfgText string        // the run config the player was built for
	every   time.Duration // how often to report progress on a task: a third of the ack wait
	done    int
	tokens  int
	sampleS float64
}

// RunWorker pulls tasks until ctx is cancelled (or MaxTasks are done): for each, it fetches the
// policy version the task names, plays the group and publishes the result, then acks the task.
// A worker that dies before the ack leaves the task to be redelivered after workers.ack_wait_s.
func RunWorker(ctx context.Context, opts WorkerOptions) error {
	if opts.ID == "" {
		opts.ID = DefaultWorkerID()
	}
	opts.ID = sanitizeID(opts.ID)
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.CacheDir == "" {
		dir, err := os.MkdirTemp("", "grit-worker-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		opts.CacheDir = dir
	}
	nc, js, err := connect(opts.URL, opts.Auth, "grit-worker-"+opts.ID)
	if err != nil {
		return err
	}
	defer nc.Close()
	w := &worker{opts: opts, js: js, version: -1, every: 2 * time.Second}
	defer func() {
		if w.player != nil {
			w.player.Close()
		}
	}()
	cons, err := w.waitForLearner(ctx)
	if err != nil {
		return err
	}
	if info := cons.CachedInfo(); info != nil && info.Config.AckWait > 0 {
		w.every = max(info.Config.AckWait/3, 50*time.Millisecond)
	}
	fmt.Fprintf(opts.Log, "worker %s: connected to %s; pulling tasks\n", opts.ID, opts.URL)
	for opts.MaxTasks == 0 || w.done < opts.MaxTasks {
		if ctx.Err() != nil {
			return nil
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, nats.ErrConnectionClosed) {
				return fmt.Errorf("worker %s: the task queue went away: %w", opts.ID, err)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		for msg := range batch.Messages() {
			if err := w.handle(ctx, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitForLearner waits until a learner has created the task queue and the policy bucket.
func (w *worker) waitForLearner(ctx context.Context) (jetstream.Consumer, error) {
	said := false
	for {
		cons, err := w.js.Consumer(ctx, tasksStream, workersConsumer)
		if err == nil {
			if w.obj, err = w.js.ObjectStore(ctx, policyBucket); err == nil {
				return cons, nil
			}
		}
		if !said {
			fmt.Fprintf(w.opts.Log, "worker %s: no learner on %s yet (%v); waiting\n", w.opts.ID, w.opts.URL, err)
			said = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// handle plays one task and publishes its result. Errors that concern only this task (a stale
// version, an undecodable message) are logged and the task is terminated; the returned error ends
// the worker.
func (w *worker) handle(ctx context.Context, msg jetstream.Msg) error {
	t, err := decodeTask(msg.Data())
	if err != nil {
		fmt.Fprintf(w.opts.Log, "worker %s: dropping a task: %v\n", w.opts.ID, err)
		return msg.Term()
	}
	if err := w.usePolicy(ctx, t.Version); err != nil {
		if errors.Is(err, errNoVersion) { // a task of a finished step, redelivered late
			fmt.Fprintf(w.opts.Log, "worker %s: dropping stale task %s: %v\n", w.opts.ID, t.ID, err)
			return msg.Term()
		}
		_ = msg.Nak()
		return fmt.Errorf("worker %s: task %s: %w", w.opts.ID, t.ID, err)
	}
	meta, err := msg.Metadata()
	if err != nil {
		return err
	}
	stop := keepInProgress(msg, w.every)
	before, _ := w.player.Durations()
	t0 := time.Now()
	trajs, err := w.player.PlayGroup(ctx, t.Task, t.Group, t.Copies, t.Seed, t.StepKey)
	stop()
	if err != nil {
		_ = msg.Nak()
		return fmt.Errorf("worker %s: task %s: %w", w.opts.ID, t.ID, err)
	}
	after, _ := w.player.Durations()
	body, err := encodeResult(resultMeta{TaskID: t.ID, WorkerID: w.opts.ID, Version: t.Version, Group: t.Group}, trajs)
	if err != nil {
		return err
	}
	tokens := 0
	for _, tr := range trajs {
		tokens += tr.GeneratedTokens()
	}
	out := nats.NewMsg(resultsSubject)
	out.Data = body
	out.Header.Set(hdrTask, t.ID)
	out.Header.Set(hdrSession, t.Session)
	out.Header.Set(hdrWorker, w.opts.ID)
	out.Header.Set(hdrDelivered, strconv.FormatUint(meta.NumDelivered, 10))
	out.Header.Set(hdrSampleS, strconv.FormatFloat(after-before, 'g', -1, 64))
	out.Header.Set(hdrGenTokens, strconv.Itoa(tokens))
	if _, err := w.js.PublishMsg(ctx, out); err != nil {
		_ = msg.Nak()
		return fmt.Errorf("worker %s: publishing the result of %s: %w", w.opts.ID, t.ID, err)
	}
	if err := msg.DoubleAck(ctx); err != nil {
		fmt.Fprintf(w.opts.Log, "worker %s: ack of %s failed (%v); the learner drops the duplicate\n", w.opts.ID, t.ID, err)
	}
	w.done++
	w.tokens += tokens
	w.sampleS += after - before
	rate := 0.0
	if w.sampleS > 0 {
		rate = float64(w.tokens) / w.sampleS
	}
	fmt.Fprintf(w.opts.Log, "worker %s: %s done (policy v%d, %d episodes, %d tokens, %.1f s); %d tasks, %.0f tokens/s overall\n",
		w.opts.ID, t.ID, t.Version, len(trajs), tokens, time.Since(t0).Seconds(), w.done, rate)
	return nil
}

// usePolicy makes the player sample with policy version v, downloading it when new.
func (w *worker) usePolicy(ctx context.Context, v int) error {
	if w.version == v {
		return nil
	}
	pol, cfg, cfgText, err := fetchPolicy(ctx, w.obj, v, w.opts.CacheDir)
	if err != nil {
		return err
	}
	if w.version >= 0 { // only the newest version is kept
		_ = os.RemoveAll(w.versionPath(w.version))
	}
	if w.player != nil && cfgText != w.cfgText { // a new run on this server: rebuild its env
		w.player.Close()
		w.player = nil
	}
	if w.player == nil {
		if w.player, err = trainers.NewGroupPlayer(cfg, pol); err != nil {
			return fmt.Errorf("building the run's env: %w", err)
		}
		w.cfgText = cfgText
	} else {
		w.player.SetPolicy(pol)
	}
	w.version = v
	return nil
}

func (w *worker) versionPath(v int) string {
	return w.opts.CacheDir + string(os.PathSeparator) + versionDir(v)
}

// keepInProgress tells JetStream every few seconds that msg is being worked on, so a long group
// is not redelivered while its worker is alive. The returned func stops it.
func keepInProgress(msg jetstream.Msg, every time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				_ = msg.InProgress()
			}
		}
	}()
	return func() { close(done) }
}
