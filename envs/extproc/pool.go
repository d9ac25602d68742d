package extproc

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config says how to run a plugin.
type Config struct {
	Command      []string      // executable and its arguments, e.g. ["python3", "plugin.py"]
	Dir          string        // working directory of the plugin; "" means grit's
	Size         int           // plugin processes run at once; default 1
	Timeout      time.Duration // limit for one grade call; default 10s
	StartTimeout time.Duration // limit for starting a process and its handshake; default 30s
	CloseGrace   time.Duration // how long Close lets a plugin exit on its own after its stdin ends; default 200ms
}

// Defaults applied by NewPool to zero Config fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultStartTimeout = 30 * time.Second
	DefaultCloseGrace   = 200 * time.Millisecond
)

func (c Config) withDefaults() Config {
	if c.Size == 0 {
		c.Size = 1
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	if c.CloseGrace == 0 {
		c.CloseGrace = DefaultCloseGrace
	}
	return c
}

// Stats counts what a pool has done.
type Stats struct {
	Calls    int64 // grade calls made
	Failed   int64 // calls whose components all failed (timeout, crash, protocol error, plugin error)
	Timeouts int64 // failed calls that ran past the timeout
	Restarts int64 // plugin processes restarted after a failure
}

// Pool runs Size processes of one plugin and hands each grade call to an idle one. It is safe for
// concurrent use. A call that times out, or whose process exits or breaks the protocol, kills that
// process (and its process group), starts a fresh one, and comes back as failed components whose
// Err says what happened; it never becomes a silent 0.
type Pool struct {
	cfg       Config
	hello     Hello
	workers   []*worker
	idle      chan *worker
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	nextID    atomic.Uint64
	calls     atomic.Int64
	failed    atomic.Int64
	timeouts  atomic.Int64
	restarts  atomic.Int64
	log       *stderrLog // every process's stderr and grit's notes (SetStderrLog)
}

// worker owns one plugin process slot; proc is nil while no process runs in it.
type worker struct {
	slot int // from 1, names the slot in the stderr log
	proc *process
}

// NewPool starts cfg.Size plugin processes and completes the handshake with each. It fails, with
// the plugin's stderr tail, if any process does not start, exits, answers badly or speaks another
// protocol version, or does not answer within cfg.StartTimeout.
func NewPool(cfg Config) (*Pool, error) {
	cfg = cfg.withDefaults()
	if len(cfg.Command) == 0 || cfg.Command[0] == "" {
		return nil, errors.New("plugin command is empty; set it to the executable and its arguments, e.g. [python3, plugin.py]")
	}
	if cfg.Size < 0 || cfg.Timeout < 0 || cfg.StartTimeout < 0 || cfg.CloseGrace < 0 {
		return nil, fmt.Errorf("plugin pool: size %d, timeout %v, start timeout %v and close grace %v must not be negative",
			cfg.Size, cfg.Timeout, cfg.StartTimeout, cfg.CloseGrace)
	}
	log := &stderrLog{}
	procs := make([]*process, cfg.Size)
	errs := make([]error, cfg.Size)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Go(func() {
			procs[i], errs[i] = startProcess(cfg.Command, cfg.Dir, cfg.StartTimeout, log.processWriter(i+1))
		})
	}
	wg.Wait()
	err := errors.Join(errs...)
	if err == nil {
		for _, pr := range procs[1:] {
			if !sameHello(procs[0].hello, pr.hello) {
				err = fmt.Errorf("plugin %q: its processes disagree on their name or components (%v vs %v); a plugin must answer the handshake the same way every time",
					procs[0].commandLine(), procs[0].hello, pr.hello)
				break
			}
		}
	}
	if err != nil {
		for _, pr := range procs {
			if pr != nil {
				pr.kill()
			}
		}
		if len(errs) > 1 {
			for _, e := range errs { // one message is enough when every process failed alike
				if e != nil {
					return nil, e
				}
			}
		}
		return nil, err
	}
	p := &Pool{cfg: cfg, hello: procs[0].hello, idle: make(chan *worker, cfg.Size), done: make(chan struct{}), log: log}
	for i, pr := range procs {
		w := &worker{slot: i + 1, proc: pr}
		p.workers = append(p.workers, w)
		p.idle <- w
	}
	return p, nil
}

func sameHello(a, b Hello) bool { return a.Name == b.Name && slices.Equal(a.Components, b.Components) }

// Hello is the plugin's handshake answer: its name and the components every result carries.
func (p *Pool) Hello() Hello { return p.hello }

// Components lists the reward component names, in the order every Response holds them.
func (p *Pool) Components() []string { return slices.Clone(p.hello.Components) }

// Stats reports the calls, failures, timeouts and restarts so far.
func (p *Pool) Stats() Stats {
	return Stats{Calls: p.calls.Load(), Failed: p.failed.Load(), Timeouts: p.timeouts.Load(), Restarts: p.restarts.Load()}
}

// SetStderrLog sends the stderr of every plugin process, line by line as "[plugin N] ...", and
// grit's notes on failed calls and restarts, as "[grit] ...", to w (what was written before is
// kept in memory, up to 64 KiB, and written first). nil stops it. Writes to w must not block long.
func (p *Pool) SetStderrLog(w io.Writer) { p.log.SetOutput(w) }

func (p *Pool) closed() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *Pool) fail(err error) Response {
	p.failed.Add(1)
	return failedResponse(p.hello.Components, err)
}

// Grade sends one completion to an idle plugin process and returns its components, in the order
// of Components. It waits while every process is busy.
func (p *Pool) Grade(req Request) Response {
	p.calls.Add(1)
	var w *worker
	select {
	case <-p.done:
		return p.fail(errors.New("plugin pool is closed"))
	case w = <-p.idle:
	}
	defer func() { p.idle <- w }()
	if p.closed() {
		return p.fail(errors.New("plugin pool is closed"))
	}
	return p.gradeOn(w, req)
}

// GradeAll grades reqs on all processes at once; result i answers reqs[i].
func (p *Pool) GradeAll(reqs []Request) []Response {
	out := make([]Response, len(reqs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(p.cfg.Size, len(reqs)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(reqs); i = int(next.Add(1)) - 1 {
				out[i] = p.Grade(reqs[i])
			}
		})
	}
	wg.Wait()
	return out
}

// gradeOn runs one call on w, restarting its process after a failure.
func (p *Pool) gradeOn(w *worker, req Request) Response {
	if w.proc == nil {
		if err := p.restart(w); err != nil {
			return p.fail(fmt.Errorf("plugin is not running and could not be restarted: %w", err))
		}
	}
	wire, err := w.proc.call(p.nextID.Add(1), req, p.cfg.Timeout)
	if err == nil {
		r := toResponse(p.hello.Components, wire)
		if r.Err != nil {
			p.failed.Add(1)
			p.log.note("plugin %d, request %q: the plugin answered with an error: %v", w.slot, req.Task.ID, r.Err)
		}
		return r
	}
	if errors.Is(err, errTimeout) {
		p.timeouts.Add(1)
	}
	w.proc.kill() // first, so that the stderr tail is complete
	tail := w.proc.stderr.suffix()
	w.proc = nil
	// What grit did comes before the plugin's stderr tail, so it cannot be read as the plugin's.
	var status string
	switch {
	case p.closed():
		status = " (not restarted: the pool is closing)"
	default:
		if rerr := p.restart(w); rerr != nil {
			status = fmt.Sprintf(" (restarting it failed: %v)", rerr)
		} else {
			status = " (restarted)"
		}
	}
	p.log.note("plugin %d, request %q: %v%s", w.slot, req.Task.ID, err, status)
	return p.fail(fmt.Errorf("%w%s%s", err, status, tail))
}

// restart starts a fresh process in w's slot.
func (p *Pool) restart(w *worker) error {
	pr, err := startProcess(p.cfg.Command, p.cfg.Dir, p.cfg.StartTimeout, p.log.processWriter(w.slot))
	if err != nil {
		return err
	}
	if !sameHello(p.hello, pr.hello) {
		pr.kill()
		return fmt.Errorf("restarted plugin answered the handshake differently (%v, was %v)", pr.hello, p.hello)
	}
	p.restarts.Add(1)
	w.proc = pr
	return nil
}

// Close stops every plugin process: it closes their stdin, gives them CloseGrace to exit, then
// kills their process groups. It waits for calls in flight (at most Timeout plus a restart).
// Calls after Close fail with "plugin pool is closed". Close is safe to call more than once.
func (p *Pool) Close() error {
	p.closeOnce.Do(func() {
		close(p.done)
		var wg sync.WaitGroup
		for range p.workers {
			w := <-p.idle
			if w.proc != nil {
				wg.Go(func() { w.proc.stop(p.cfg.CloseGrace) })
			}
		}
		wg.Wait()
	})
	return nil
}
