package distrib

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"grit/envs"
	"grit/trainers"
)

// WorkerOptions configure a rollout worker (`train worker`).
type WorkerOptions struct {
	URL      string
	Auth     Auth
	ID       string    // worker id in results and metrics; "" = host-pid
	CacheDir string    // where policy versions are downloaded; "" = a temporary folder
	Log      io.Writer // one progress line per batch of tasks played together (stderr)
	MaxTasks int       // stop after this many tasks (tests); 0 = run until ctx is cancelled

	noPrefetch bool // tests: no bucket watch and no pushes, as when the watch cannot start
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
	opts      WorkerOptions
	nc        *nats.Conn
	js        jetstream.JetStream
	obj       jetstream.ObjectStore
	player    *trainers.GroupPlayer
	version   int           // version the player samples with; -1 = none
	awaited   int           // without a prefetcher: the version still to come that tasks named last; -1 = none
	cfgText   string        // the run config the player was built for
	loaded    loadedPolicy  // what the player's policy was loaded from
	pre       *prefetcher   // downloads versions as they appear; nil = on demand
	loadedDir int           // the version in the cache folder (the last one loaded in full); -1 = none
	every     time.Duration // how often to report progress on a task: a third of the ack wait
	done      int
	tokens    int
	sampleS   float64
}

// RunWorker pulls tasks until ctx is cancelled (or MaxTasks are done): it takes its share of a
// round (task.Batch) at once, loads the policy version the tasks name (downloaded as soon as the
// learner put it), plays their groups in one sampler call, publishes every group's result and
// then acks the tasks. A worker that dies before the acks leaves its tasks to be redelivered
// after workers.ack_wait_s; while it plays, it reports progress on each of them.
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
	w := &worker{opts: opts, nc: nc, js: js, version: -1, awaited: -1, loadedDir: -1, every: 2 * time.Second}
	defer func() {
		if w.player != nil {
			w.player.Close()
		}
	}()
	cons, err := w.waitForLearner(ctx)
	if err != nil {
		return err
	}
	if opts.noPrefetch {
		err = errors.New("prefetching off")
	} else {
		w.pre, err = startPrefetch(ctx, w.obj, nc, newChunkReader(ctx, js), opts.Log)
	}
	if err != nil {
		fmt.Fprintf(opts.Log, "worker %s: %v; downloading each version when a task names it\n", opts.ID, err)
	} else {
		defer w.pre.stop()
	}
	if info := cons.CachedInfo(); info != nil && info.Config.AckWait > 0 {
		w.every = max(info.Config.AckWait/3, 50*time.Millisecond)
	}
	fmt.Fprintf(opts.Log, "worker %s: connected to %s; pulling tasks\n", opts.ID, opts.URL)
	for opts.MaxTasks == 0 || w.done < opts.MaxTasks {
		if ctx.Err() != nil {
			return nil
		}
		msgs, err := w.pull(ctx, cons)
		if err != nil {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, nats.ErrConnectionClosed) {
				return fmt.Errorf("worker %s: the task queue went away: %w", opts.ID, err)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if err := w.handle(ctx, msgs); err != nil {
			return err
		}
	}
	return nil
}

// maxBatch is the most tasks a worker takes at once (and plays in one sampler call when they are
// groups of one round).
const maxBatch = 256

// shareWait is how long a worker that got a round's first task waits for the rest of its share:
// the learner publishes a round's tasks together, so they are all there at once, unless other
// workers took them.
const shareWait = 5 * time.Millisecond

// pull waits up to a second for a task, then, at the same time, loads the policy version it names
// and takes more tasks of the queue: up to the task's Batch (this worker's share of the round),
// maxBatch and MaxTasks in all, waiting up to shareWait for them. The version may still be in the
// making (a synchronous learner issues a step's tasks right after the update, Learner.PolicyReady):
// while the worker waits for it, it reports progress on the tasks it holds.
func (w *worker) pull(ctx context.Context, cons jetstream.Consumer) ([]jetstream.Msg, error) {
	batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
	if err != nil {
		return nil, err
	}
	var msgs []jetstream.Msg
	for msg := range batch.Messages() {
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	t, err := decodeTask(msgs[0].Data())
	if err != nil {
		return msgs, nil // handle drops it
	}
	limit := min(t.Batch, maxBatch) - 1
	if w.opts.MaxTasks > 0 {
		limit = min(limit, w.opts.MaxTasks-w.done-1)
	}
	taken, keeping := make(chan []jetstream.Msg, 1), make(chan func(), 1)
	go func() {
		more := w.takeMore(cons, limit)
		keeping <- keepAllInProgress(append([]jetstream.Msg{msgs[0]}, more...), w.every)
		taken <- more
	}()
	_ = w.usePolicy(ctx, t.Version) // an error is handled with the task (handle)
	(<-keeping)()
	return append(msgs, <-taken...), nil
}

// takeMore takes up to limit more tasks, waiting up to shareWait for them.
func (w *worker) takeMore(cons jetstream.Consumer, limit int) []jetstream.Msg {
	if limit <= 0 {
		return nil
	}
	more, err := cons.Fetch(limit, jetstream.FetchMaxWait(shareWait))
	if err != nil {
		return nil // the first task is still ours to play
	}
	var msgs []jetstream.Msg
	for msg := range more.Messages() {
		msgs = append(msgs, msg)
	}
	return msgs
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

// pulledTask is a task message and its decoded task.
type pulledTask struct {
	msg  jetstream.Msg
	t    *task
	meta *jetstream.MsgMetadata
}

// handle plays the pulled tasks: the groups of one round (same policy version, seed, step key
// and copies) together in one sampler call, then publishes every group's result and acks its
// task. Errors that concern only some tasks (a stale version, an undecodable message) are logged
// and those tasks terminated; the returned error ends the worker.
func (w *worker) handle(ctx context.Context, msgs []jetstream.Msg) error {
	type key struct {
		session       string
		version       int
		seed, stepKey uint64
		copies        int
	}
	var order []key
	rounds := map[key][]pulledTask{}
	for _, msg := range msgs {
		t, err := decodeTask(msg.Data())
		if err != nil {
			fmt.Fprintf(w.opts.Log, "worker %s: dropping a task: %v\n", w.opts.ID, err)
			_ = msg.Term()
			continue
		}
		meta, err := msg.Metadata()
		if err != nil {
			return err
		}
		k := key{t.Session, t.Version, t.Seed, t.StepKey, t.Copies}
		if _, seen := rounds[k]; !seen {
			order = append(order, k)
		}
		rounds[k] = append(rounds[k], pulledTask{msg: msg, t: t, meta: meta})
	}
	for i, k := range order {
		if err := w.playRound(ctx, rounds[k]); err != nil {
			for _, later := range order[i+1:] { // give the rest back at once
				for _, pt := range rounds[later] {
					_ = pt.msg.Nak()
				}
			}
			return err
		}
	}
	return nil
}

// playRound plays tasks of one round together and publishes their results (see handle).
func (w *worker) playRound(ctx context.Context, tasks []pulledTask) error {
	nakAll := func() {
		for _, pt := range tasks {
			_ = pt.msg.Nak()
		}
	}
	first := tasks[0].t
	if err := w.usePolicy(ctx, first.Version); err != nil {
		if errors.Is(err, errNoVersion) && w.pre == nil && w.notYetPut(ctx, first.Version) {
			if w.awaited != first.Version {
				w.awaited = first.Version
				fmt.Fprintf(w.opts.Log, "worker %s: tasks name policy version %d, still to come; taking them again every %s until it is in the bucket\n",
					w.opts.ID, first.Version, versionPoll)
			}
			for _, pt := range tasks { // the learner's update is making it (no prefetcher waits for it)
				_ = pt.msg.NakWithDelay(versionPoll)
			}
			return nil
		}
		if errors.Is(err, errNoVersion) { // tasks of a finished step, redelivered late
			for _, pt := range tasks {
				fmt.Fprintf(w.opts.Log, "worker %s: dropping stale task %s: %v\n", w.opts.ID, pt.t.ID, err)
				_ = pt.msg.Term()
			}
			return nil
		}
		nakAll()
		return fmt.Errorf("worker %s: task %s: %w", w.opts.ID, first.ID, err)
	}
	msgs := make([]jetstream.Msg, len(tasks))
	envTasks := make([]envs.Task, len(tasks))
	groups := make([]int, len(tasks))
	for i, pt := range tasks {
		msgs[i], envTasks[i], groups[i] = pt.msg, pt.t.Task, pt.t.Group
	}
	stop := keepAllInProgress(msgs, w.every)
	before, _ := w.player.Durations()
	t0 := time.Now()
	played, err := w.player.PlayGroups(ctx, envTasks, groups, first.Copies, first.Seed, first.StepKey)
	stop()
	if err != nil {
		nakAll()
		return fmt.Errorf("worker %s: task %s: %w", w.opts.ID, first.ID, err)
	}
	after, _ := w.player.Durations()
	sampleS := (after - before) / float64(len(tasks)) // the batch's sampling time, shared evenly
	futures, tokens, err := w.sendResults(tasks, played, sampleS)
	if err != nil {
		nakAll()
		return err
	}
	if _, err := awaitPubAcks(ctx, futures); err != nil {
		nakAll() // a task whose result did arrive is done again; the learner drops the duplicate
		return fmt.Errorf("worker %s: publishing the results of %d tasks: %w", w.opts.ID, len(tasks), err)
	}
	for _, pt := range tasks {
		if err := pt.msg.Ack(); err != nil {
			fmt.Fprintf(w.opts.Log, "worker %s: ack of %s failed (%v); the learner drops the duplicate\n", w.opts.ID, pt.t.ID, err)
		}
	}
	if err := w.nc.Flush(); err != nil { // the acks have reached the server
		fmt.Fprintf(w.opts.Log, "worker %s: acks of %d tasks not confirmed (%v); the learner drops duplicates\n", w.opts.ID, len(tasks), err)
	}
	total, episodes := 0, 0
	for i := range tasks {
		total, episodes = total+tokens[i], episodes+len(played[i])
	}
	w.done += len(tasks)
	w.tokens += total
	w.sampleS += after - before
	rate := 0.0
	if w.sampleS > 0 {
		rate = float64(w.tokens) / w.sampleS
	}
	ids := tasks[0].t.ID
	if len(tasks) > 1 {
		ids += ".." + tasks[len(tasks)-1].t.ID
	}
	fmt.Fprintf(w.opts.Log, "worker %s: %s done (policy v%d, %d groups, %d episodes, %d tokens) in %.3f s; %d tasks, %.0f tokens/s overall\n",
		w.opts.ID, ids, first.Version, len(tasks), episodes, total, time.Since(t0).Seconds(), w.done, rate)
	return nil
}

// versionPoll is how long a worker without a prefetcher gives back tasks that name a version not
// yet put before it takes them again.
const versionPoll = 50 * time.Millisecond

// notYetPut reports whether version v is newer than every version in the bucket (still to come,
// not deleted).
func (w *worker) notYetPut(ctx context.Context, v int) bool {
	infos, err := w.obj.List(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
		return false
	}
	for _, info := range infos {
		var have int
		if _, err := fmt.Sscanf(info.Name, "v%06d", &have); err == nil && have >= v {
			return false
		}
	}
	return true
}

// sendResults publishes the tasks' results as batch results (resultbatch.go) of at most half the
// server's max_payload each (a larger batch is split in halves, down to one group per message),
// without waiting for the acknowledgements, which the futures hold. tokens[i] are task i's
// generated tokens.
func (w *worker) sendResults(tasks []pulledTask, played [][]*trainers.Trajectory, sampleS float64) (futures []jetstream.PubAckFuture, tokens []int, err error) {
	tokens = make([]int, len(tasks))
	for i := range tasks {
		for _, tr := range played[i] {
			tokens[i] += tr.GeneratedTokens()
		}
	}
	var send func(lo, hi int) error
	send = func(lo, hi int) error {
		metas := make([]resultMeta, 0, hi-lo)
		ids, delivered := make([]string, 0, hi-lo), make([]string, 0, hi-lo)
		total := 0
		for i, pt := range tasks[lo:hi] {
			metas = append(metas, resultMeta{TaskID: pt.t.ID, WorkerID: w.opts.ID, Version: pt.t.Version, Group: pt.t.Group})
			ids, delivered = append(ids, pt.t.ID), append(delivered, strconv.FormatUint(pt.meta.NumDelivered, 10))
			total += tokens[lo+i]
		}
		body, err := encodeResults(metas, played[lo:hi])
		if err != nil {
			return err
		}
		if int64(len(body)) > w.nc.MaxPayload()/2 && hi-lo > 1 {
			mid := (lo + hi) / 2
			if err := send(lo, mid); err != nil {
				return err
			}
			return send(mid, hi)
		}
		out := nats.NewMsg(resultsSubject)
		out.Data = body
		out.Header.Set(hdrTasks, strings.Join(ids, ","))
		out.Header.Set(hdrSession, tasks[lo].t.Session)
		out.Header.Set(hdrWorker, w.opts.ID)
		out.Header.Set(hdrDelivered, strings.Join(delivered, ","))
		out.Header.Set(hdrSampleS, strconv.FormatFloat(sampleS, 'g', -1, 64))
		out.Header.Set(hdrGenTokens, strconv.Itoa(total))
		f, err := w.js.PublishMsgAsync(out)
		if err != nil {
			return fmt.Errorf("worker %s: publishing the results of %s..%s: %w", w.opts.ID, ids[0], ids[len(ids)-1], err)
		}
		futures = append(futures, f)
		return nil
	}
	return futures, tokens, send(0, len(tasks))
}

// keepInProgress tells JetStream every few seconds that msg is being worked on, so a long group
// is not redelivered while its worker is alive. The returned func stops it.
func keepInProgress(msg jetstream.Msg, every time.Duration) (stop func()) {
	return keepAllInProgress([]jetstream.Msg{msg}, every)
}

// keepAllInProgress is keepInProgress for every message of a batch played together.
func keepAllInProgress(msgs []jetstream.Msg, every time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				for _, msg := range msgs {
					_ = msg.InProgress()
				}
			}
		}
	}()
	return func() { close(done) }
}
