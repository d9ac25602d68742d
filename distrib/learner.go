package distrib

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"grit/policy"
	"grit/trainers"
)

// Learner is the learner's side: a trainers.RolloutSource that plays each round's prompt groups on
// workers. Synchronous: a round is done when every group has exactly one accepted result, and the
// trajectories are returned in group order whatever order the results arrived in.
type Learner struct {
	cfg         trainers.WorkersConfig
	runCfg      trainers.Config
	log         io.Writer
	srv         *Embedded // nil with workers.url
	nc          *nats.Conn
	js          jetstream.JetStream
	results     jetstream.Consumer
	tasks       jetstream.Consumer // the workers' consumer: the learner pulls from it to play locally
	obj         jetstream.ObjectStore
	pub         *policyPublisher
	kept        []int      // policy versions this learner published and has not deleted, oldest first
	pruning     chan error // the deletion of versions no task can name, running during the step; nil = none
	early       chan error // the upload of version earlyV, started by PolicyReady; nil = none
	earlyV      int
	session     string // this learner process; results of tasks another one issued are dropped
	version     int    // newest policy version published; -1 = none
	stats       *stepStats
	URL         string // where workers connect
	lastWait    time.Time
	noWorker    bool                                         // the previous round got no worker result: with workers.local, play at once
	lastWorkers int                                          // workers whose results the last finished step accepted
	open        map[string]*round                            // task id -> its round, until the round is returned
	ahead       map[int]*round                               // step -> its round 0, issued before the step runs (asynchronous; synchronous: by PolicyReady)
	issuedTo    int                                          // asynchronous: the last step whose round 0 is issued; -1 = none
	next        func(step int) (trainers.RoundRequest, bool) // the last request's Ahead
	nextIssued  chan error                                   // synchronous: the publication of the next step's round 0 (PolicyReady); nil = none
}

// StartLearner connects to (or embeds) the NATS server of cfg.Workers and prepares the streams,
// consumers and bucket, emptied of whatever an earlier learner left there. runDir holds the
// embedded server's store (runDir/nats). A server that cannot be reached is an ErrUnreachable.
func StartLearner(ctx context.Context, cfg trainers.Config, runDir string, log io.Writer) (*Learner, error) {
	w := cfg.Workers
	if err := w.CheckSecrets(); err != nil {
		return nil, err
	}
	if log == nil {
		log = io.Discard
	}
	auth := Auth{User: w.User, Password: w.Password.Reveal(), Token: w.Token.Reveal()}
	l := &Learner{cfg: w, runCfg: cfg, log: log, session: nuid.Next(), version: -1, URL: w.URL,
		open: map[string]*round{}, ahead: map[int]*round{}, issuedTo: -1}
	if w.URL == "" {
		srv, err := StartEmbedded(w.Listen, filepath.Join(runDir, "nats"), auth)
		if err != nil {
			return nil, err
		}
		l.srv, l.URL = srv, srv.URL
	}
	var err error
	if l.nc, l.js, err = connect(l.URL, auth, "grit-learner"); err != nil {
		l.Close()
		return nil, err
	}
	ackWait := time.Duration(w.AckWaitS * float64(time.Second))
	if l.results, l.obj, err = setupStreams(ctx, l.js, ackWait); err != nil {
		l.Close()
		return nil, err
	}
	if l.tasks, err = l.js.Consumer(ctx, tasksStream, workersConsumer); err != nil {
		l.Close()
		return nil, err
	}
	if l.pub, err = newPolicyPublisher(l.obj, l.nc, cfg, chunkOptions(l.nc.MaxPayload())); err != nil {
		l.Close()
		return nil, err
	}
	l.pub.session = l.session
	fmt.Fprintf(log, "workers: tasks on %s; start workers with: train worker --connect %s\n", l.URL, l.URL)
	return l, nil
}

// Close disconnects and stops the embedded server.
func (l *Learner) Close() {
	_ = l.pruned()
	_ = l.nextPublished()
	if l.nc != nil {
		l.nc.Close()
	}
	if l.srv != nil {
		l.srv.Close()
	}
}

// round is the state of one round in flight.
type round struct {
	req      trainers.RoundRequest
	tasks    map[string]*task // by id
	order    []string         // task ids in group order
	done     map[string][]*trainers.Trajectory
	versions map[string]int // policy version each done group sampled with
}

// PlayRound publishes the round's groups as tasks and waits for one accepted result of each.
//
// Asynchronous (workers.max_staleness k > 0, req.Ahead set): the tasks of round 0 of the next k
// steps are issued too, naming the newest policy version, so workers sample them while the learner
// updates; a step whose round 0 was issued ahead collects those tasks' results instead of issuing
// new ones. A group of step s then sampled with a version v >= s-k (the learner issued it while
// running step v), and the learner keeps versions s-k..s in the bucket. Tasks wait in the work
// queue in the order they were issued, so workers take the oldest step's first.
//
// Synchronous: PolicyReady issues round 0 of the next step as soon as the update made its
// version (the tasks name it; workers wait for it), and that step's PlayRound collects them.
func (l *Learner) PlayRound(ctx context.Context, req trainers.RoundRequest, m trainers.Metrics) ([]*trainers.Trajectory, error) {
	l.next = req.Ahead
	if err := l.nextPublished(); err != nil {
		return nil, err
	}
	var r *round
	var err error
	pre := l.ahead[req.Step]
	if pre != nil && req.Round == 0 {
		delete(l.ahead, req.Step)
		if err := sameTasks(pre.req, req); err != nil {
			if l.cfg.MaxStaleness > 0 {
				return nil, err
			}
			l.forget(pre) // synchronous: play the step's own draw; the results of these are dropped
			pre = nil
		}
	}
	if pre != nil && req.Round == 0 {
		r = pre
		r.req.Policy, r.req.Local = req.Policy, req.Local
		if err := l.startStep(ctx, req); err != nil {
			return nil, err
		}
		if l.cfg.MaxStaleness == 0 { // issued by PolicyReady: the step's tasks
			l.stats.tasks += len(r.tasks)
		}
	} else if r, _, err = l.issue(ctx, req); err != nil {
		return nil, err
	}
	if err := l.issueAhead(ctx, req); err != nil {
		return nil, err
	}
	if err := l.collect(ctx, r); err != nil {
		return nil, err
	}
	if err := l.pruned(); err != nil {
		return nil, err
	}
	out := make([]*trainers.Trajectory, 0, len(req.Tasks)*req.Copies)
	for _, id := range r.order {
		for _, tr := range r.done[id] {
			tr.PolicyVersion = r.versions[id] // what the worker's result (or the local play) sampled with
		}
		out = append(out, r.done[id]...)
		l.stats.lagged(req.Step - r.versions[id])
		delete(l.open, id)
	}
	l.stats.write(m)
	return out, nil
}

// sameTasks checks that the step's round 0 is the one issued ahead: the trainer draws it from
// (seed, step) alone, so a difference is a bug, not a race.
func sameTasks(issued, now trainers.RoundRequest) error {
	same := len(issued.Tasks) == len(now.Tasks) && issued.Copies == now.Copies && issued.StepKey == now.StepKey
	for i := 0; same && i < len(now.Tasks); i++ {
		same = issued.Tasks[i].ID == now.Tasks[i].ID
	}
	if !same {
		return fmt.Errorf("asynchronous workers: step %d's prompts differ from those issued ahead for it; the env's task draw must depend on (seed, step) only (set workers.max_staleness: 0)", now.Step+1)
	}
	return nil
}

// startStep publishes the policy version of req's step (once per step; version s samples step s)
// and starts deleting the versions no task can name any more: all but the newest
// max_staleness+1. The deletion runs while workers sample; PlayRound waits for it before it
// returns the round.
func (l *Learner) startStep(ctx context.Context, req trainers.RoundRequest) error {
	if l.stats == nil || l.stats.step != req.Step {
		if l.stats != nil {
			l.lastWorkers = len(l.stats.tokens)
		}
		l.stats = newStepStats(req.Step)
	}
	version := req.Step
	if l.version == version {
		return nil
	}
	if err := l.pruned(); err != nil {
		return err
	}
	uploaded := false
	if l.early != nil {
		err := <-l.early
		uploaded, l.early = err == nil && l.earlyV == version, nil
	}
	if !uploaded {
		if err := l.pub.publish(ctx, version, req.Policy, nil); err != nil {
			return err
		}
	}
	l.version = version
	l.kept = append(l.kept, version)
	var drop []int
	for len(l.kept) > 0 && l.kept[0] < version-l.cfg.MaxStaleness {
		drop, l.kept = append(drop, l.kept[0]), l.kept[1:]
	}
	if len(drop) > 0 {
		l.pruning = make(chan error, 1)
		go func() { l.pruning <- deleteVersions(ctx, l.obj, drop) }()
	}
	return nil
}

// StepSampled issues round 0 of the next step as soon as the step's last round is collected
// (trainers.PolicyListener), synchronous only: its tasks are a function of (seed, step) and name
// the version the coming update makes, so the workers hold them during the update, wait for that
// version (pushed by PolicyReady), and start sampling as soon as it arrives.
func (l *Learner) StepSampled(ctx context.Context, step int) {
	if publish := l.issueNext(ctx, step+1); publish != nil {
		go publish()
	}
}

// PolicyReady starts uploading the policy of step nextStep (0-based) right after the update that
// made it (trainers.PolicyListener), while the learner logs and checkpoints the step before;
// startStep then finds the version uploaded (or uploads it again if that failed). A version that
// fits in one message is pushed to the workers first. Synchronous, round 0 of step nextStep is
// issued here unless StepSampled did: between the push and the put.
func (l *Learner) PolicyReady(ctx context.Context, nextStep int, pol policy.Policy) {
	if l.early != nil {
		<-l.early
	}
	l.early, l.earlyV = make(chan error, 1), nextStep
	issue := l.issueNext(ctx, nextStep)
	go func() { l.early <- l.pub.publish(ctx, nextStep, pol, issue) }()
}

// issuable reports whether round 0 of step is still to be issued ahead (synchronous runs).
func (l *Learner) issuable(step int) bool {
	return l.cfg.MaxStaleness == 0 && l.next != nil && l.ahead[step] == nil && l.nextIssued == nil
}

// issueNext registers round 0 of step, its tasks naming policy version step, and returns the
// func that publishes them, to run in the background; nextPublished waits for it. The tasks'
// share: the workers of the step just played, or more waiting for a task. Nil when there is
// nothing to issue: past the last step, asynchronous, or issued already.
func (l *Learner) issueNext(ctx context.Context, step int) (publish func()) {
	if !l.issuable(step) {
		return nil
	}
	req, ok := l.next(step)
	if !ok {
		return nil
	}
	r, ts := l.newRound(req, step, 0)
	l.ahead[step] = r
	workers := 0
	if l.stats != nil {
		workers = len(l.stats.tokens)
	}
	issued := make(chan error, 1)
	l.nextIssued = issued
	return func() {
		share := max(1, workers, l.waitingWorkers(ctx))
		for _, t := range ts {
			t.Batch = (len(ts) + share - 1) / share
		}
		issued <- l.publishTasks(ctx, ts)
	}
}

// nextPublished waits for the tasks issueNext publishes, if any.
func (l *Learner) nextPublished() error {
	if l.nextIssued == nil {
		return nil
	}
	err := <-l.nextIssued
	l.nextIssued = nil
	return err
}

// forget drops a round issued ahead: its results will count as duplicates.
func (l *Learner) forget(r *round) {
	for id := range r.tasks {
		delete(l.open, id)
	}
}

// pruned waits for the deletion of old versions started with the step, if any.
func (l *Learner) pruned() error {
	if l.pruning == nil {
		return nil
	}
	err := <-l.pruning
	l.pruning = nil
	return err
}

// issue publishes the policy version of req's step and the round's tasks, naming that version.
// How many workers share the round is asked meanwhile.
func (l *Learner) issue(ctx context.Context, req trainers.RoundRequest) (*round, []string, error) {
	waiting := make(chan int, 1)
	go func() { waiting <- l.waitingWorkers(ctx) }()
	if err := l.startStep(ctx, req); err != nil {
		<-waiting
		return nil, nil, err
	}
	r, err := l.issueRound(ctx, req, max(1, l.lastWorkers, <-waiting))
	if err != nil {
		return nil, nil, err
	}
	return r, r.order, nil
}

// issueAhead issues round 0 of the steps after req's, up to max_staleness ahead, each once.
func (l *Learner) issueAhead(ctx context.Context, req trainers.RoundRequest) error {
	if req.Ahead == nil {
		return nil
	}
	for s := max(l.issuedTo+1, req.Step+1); s <= req.Step+l.cfg.MaxStaleness; s++ {
		later, ok := req.Ahead(s)
		if !ok {
			break
		}
		r, err := l.issueRound(ctx, later, l.share(ctx))
		if err != nil {
			return err
		}
		l.ahead[s], l.issuedTo = r, s
	}
	return nil
}

// issueRound publishes req's tasks naming the newest policy version and registers the round;
// share workers split it (task.Batch).
func (l *Learner) issueRound(ctx context.Context, req trainers.RoundRequest, share int) (*round, error) {
	r, ts := l.newRound(req, l.version, (len(req.Tasks)+share-1)/share)
	if err := l.publish(ctx, ts...); err != nil {
		return nil, err
	}
	return r, nil
}

// newRound registers req's round, its tasks naming policy version v, batch of them per worker.
func (l *Learner) newRound(req trainers.RoundRequest, v, batch int) (*round, []*task) {
	r := &round{req: req, tasks: map[string]*task{}, done: map[string][]*trainers.Trajectory{}, versions: map[string]int{},
		order: make([]string, len(req.Tasks))}
	ts := make([]*task, len(req.Tasks))
	for g, tk := range req.Tasks {
		t := &task{ID: taskID(req.Step, req.Round, g), Session: l.session, Step: req.Step, Round: req.Round, Group: g,
			Copies: req.Copies, Seed: req.Seed, StepKey: req.StepKey, Version: v, Batch: batch, Task: tk}
		r.tasks[t.ID], r.order[g], ts[g] = t, t.ID, t
		l.open[t.ID] = r
	}
	return r, ts
}

// share is how many workers a round's tasks are shared among: the most of the workers waiting
// for a task now (the consumer's pending pull requests) and those whose results the previous
// step accepted; at least 1. A worker takes its share of a round at once (task.Batch), so one
// worker plays a whole round in one sampler call and several split it.
func (l *Learner) share(ctx context.Context) int {
	return max(1, l.lastWorkers, l.waitingWorkers(ctx))
}

// waitingWorkers is the number of pull requests waiting on the workers' consumer (0 if unknown).
func (l *Learner) waitingWorkers(ctx context.Context) int {
	if info, err := l.tasks.Info(ctx); err == nil {
		return info.NumWaiting
	}
	return 0
}

// publish puts tasks on the work queue (publishTasks) and counts them in the step's metrics.
func (l *Learner) publish(ctx context.Context, ts ...*task) error {
	if err := l.publishTasks(ctx, ts); err != nil {
		return err
	}
	l.stats.tasks += len(ts)
	return nil
}

// publishTasks puts tasks on the work queue: all sent at once, then every acknowledgement awaited.
func (l *Learner) publishTasks(ctx context.Context, ts []*task) error {
	futures := make([]jetstream.PubAckFuture, len(ts))
	for i, t := range ts {
		body, err := t.encode()
		if err != nil {
			return err
		}
		if futures[i], err = l.js.PublishAsync(tasksSubject, body); err != nil {
			return fmt.Errorf("publishing task %s: %w", t.ID, err)
		}
	}
	if i, err := awaitPubAcks(ctx, futures); err != nil {
		return fmt.Errorf("publishing task %s: %w", ts[i].ID, err)
	}
	return nil
}

// collect takes results until every task of r has one. After wait_s without a result the learner
// plays queued tasks itself (workers.local) or says that it is waiting.
func (l *Learner) collect(ctx context.Context, r *round) error {
	wait := time.Duration(l.cfg.WaitS * float64(time.Second))
	lastResult, playedLocally, drain := time.Now(), false, false
	if l.cfg.Local && l.noWorker { // nobody answered last round: do not wait wait_s again
		lastResult = lastResult.Add(-wait)
	}
	fromWorkers := 0
	defer func() { l.noWorker = fromWorkers == 0 }()
	for len(r.done) < len(r.tasks) {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch jetstream.MessageBatch
		var err error
		if playedLocally || drain { // take what is there at once (keep playing locally while tasks wait)
			batch, err = l.results.FetchNoWait(64)
		} else { // a Fetch of one returns as soon as a result (often a whole round's) arrives
			batch, err = l.results.Fetch(1, jetstream.FetchMaxWait(min(wait, 250*time.Millisecond)))
		}
		playedLocally = false
		if err != nil {
			return fmt.Errorf("fetching results: %w", err)
		}
		got := false
		for msg := range batch.Messages() {
			if l.take(ctx, msg) {
				got = true
			}
			if err := msg.Ack(); err != nil {
				return fmt.Errorf("acknowledging a result: %w", err)
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("fetching results: %w", err)
		}
		drain = got
		if got {
			fromWorkers++
			lastResult = time.Now()
			continue
		}
		if time.Since(lastResult) < wait {
			continue
		}
		if l.cfg.Local {
			if playedLocally, err = l.playLocal(ctx); err != nil {
				return err
			}
			continue
		}
		if time.Since(l.lastWait) >= wait {
			l.lastWait = time.Now()
			fmt.Fprintf(l.log, "workers: waiting for workers: %d of %d tasks of step %d round %d outstanding, no result for %.0f s; start one with: train worker --connect %s (or set workers.local: true)\n",
				len(r.tasks)-len(r.done), len(r.tasks), r.req.Step+1, r.req.Round, time.Since(lastResult).Seconds(), l.URL)
		}
	}
	return nil
}

// take handles one result message; it reports whether a task of an open round (the one being
// played, or one issued ahead) was completed by it.
func (l *Learner) take(ctx context.Context, msg jetstream.Msg) bool {
	h := msg.Headers()
	if h.Get(hdrTasks) != "" {
		return l.takeBatch(ctx, msg)
	}
	id := h.Get(hdrTask)
	r := l.open[id]
	if h.Get(hdrSession) != l.session || r == nil {
		l.stats.duplicates++ // another learner's, or a task of an earlier round
		return false
	}
	if _, done := r.done[id]; done {
		l.stats.duplicates++
		return false
	}
	t := r.tasks[id]
	trajs, worker, version, err := decodeResult(msg.Data(), t)
	if err == nil && worker != h.Get(hdrWorker) {
		err = fmt.Errorf("result %s: rows name worker %q, the message %q", id, worker, h.Get(hdrWorker))
	}
	if err == nil && version != t.Version {
		err = fmt.Errorf("result %s: sampled with policy version %d, the task names %d", id, version, t.Version)
	}
	if err != nil {
		l.stats.rejected++
		fmt.Fprintf(l.log, "workers: rejected a result from worker %q: %v; reissuing task %s\n", h.Get(hdrWorker), err, id)
		if perr := l.publish(ctx, t); perr != nil {
			fmt.Fprintf(l.log, "workers: reissuing %s failed: %v\n", id, perr)
		}
		return false
	}
	r.done[id], r.versions[id] = trajs, version
	delivered, _ := strconv.Atoi(h.Get(hdrDelivered))
	sampleS, _ := strconv.ParseFloat(h.Get(hdrSampleS), 64)
	tokens := 0
	for _, tr := range trajs {
		tokens += tr.GeneratedTokens()
	}
	l.stats.accepted(worker, tokens, sampleS, delivered)
	return true
}

// takeBatch handles a batch result (resultbatch.go): each listed task of an open round not yet
// done is checked and accepted as take accepts a single result; the others count as duplicates.
// A batch that cannot be read has every task it answers reissued.
func (l *Learner) takeBatch(ctx context.Context, msg jetstream.Msg) bool {
	h := msg.Headers()
	ids := strings.Split(h.Get(hdrTasks), ",")
	delivered := strings.Split(h.Get(hdrDelivered), ",")
	open := func(id string) *task {
		if r := l.open[id]; r != nil && h.Get(hdrSession) == l.session && r.done[id] == nil {
			return r.tasks[id]
		}
		return nil
	}
	wanted := 0
	for _, id := range ids {
		if open(id) == nil {
			l.stats.duplicates++ // another learner's, a task of an earlier round, or done already
		} else {
			wanted++
		}
	}
	if wanted == 0 {
		return false
	}
	groups, worker, version, err := decodeResults(msg.Data(), ids, open)
	if err == nil && worker != h.Get(hdrWorker) {
		err = fmt.Errorf("rows name worker %q, the message %q", worker, h.Get(hdrWorker))
	}
	sampleS, _ := strconv.ParseFloat(h.Get(hdrSampleS), 64)
	got := false
	for k, id := range ids {
		t := open(id)
		if t == nil {
			continue
		}
		terr := err
		if terr == nil && version != t.Version {
			terr = fmt.Errorf("result %s: sampled with policy version %d, the task names %d", id, version, t.Version)
		}
		if terr != nil {
			l.stats.rejected++
			fmt.Fprintf(l.log, "workers: rejected a result from worker %q: %v; reissuing task %s\n", h.Get(hdrWorker), terr, id)
			if perr := l.publish(ctx, t); perr != nil {
				fmt.Fprintf(l.log, "workers: reissuing %s failed: %v\n", id, perr)
			}
			continue
		}
		r := l.open[id]
		r.done[id], r.versions[id] = groups[id], version
		n := 0
		if k < len(delivered) {
			n, _ = strconv.Atoi(delivered[k])
		}
		tokens := 0
		for _, tr := range groups[id] {
			tokens += tr.GeneratedTokens()
		}
		l.stats.accepted(worker, tokens, sampleS, n)
		got = true
	}
	return got
}

// playLocal pulls one queued task and plays it on the learner (workers.local) with the newest
// policy: a task of r, or of a round issued ahead. A queued task of no open round is dropped.
func (l *Learner) playLocal(ctx context.Context) (played bool, err error) {
	batch, err := l.tasks.FetchNoWait(1)
	if err != nil {
		return false, fmt.Errorf("pulling a task to play locally: %w", err)
	}
	for msg := range batch.Messages() {
		t, err := decodeTask(msg.Data())
		var r *round
		if err == nil && t.Session == l.session {
			r = l.open[t.ID]
		}
		if r == nil || r.done[t.ID] != nil {
			_ = msg.Term()
			continue
		}
		trajs, err := r.req.Local(ctx, t.Group)
		if err != nil {
			_ = msg.Nak()
			return false, err
		}
		if err := msg.Ack(); err != nil {
			return false, fmt.Errorf("acknowledging task %s: %w", t.ID, err)
		}
		r.done[t.ID], r.versions[t.ID] = trajs, l.version
		l.stats.local++
		played = true
	}
	return played, nil
}
