package extproc

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"grit/rewards"
)

func component(t *testing.T, r Response, name string) rewards.Component {
	t.Helper()
	for _, c := range r.Result.Components {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("response has no component %q: %+v", name, r.Result.Components)
	return rewards.Component{}
}

func requireAllFailed(t *testing.T, r Response, wants ...string) {
	t.Helper()
	if r.Err == nil {
		t.Fatalf("call succeeded (%+v); want a failure", r.Result)
	}
	if len(r.Result.Components) == 0 {
		t.Fatal("failed call has no components; every declared component must be marked failed")
	}
	for _, c := range r.Result.Components {
		if c.OK || c.Value != 0 || c.Err == "" {
			t.Fatalf("component %+v of a failed call must have OK false and an Err", c)
		}
		for _, w := range wants {
			if !strings.Contains(c.Err, w) {
				t.Errorf("component error %q does not mention %q", c.Err, w)
			}
		}
	}
	if r.Result.Correct {
		t.Error("a failed call must not be marked correct")
	}
}

func TestExamplePluginGrades(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "example_reward.py"), Size: 2, Timeout: 5 * time.Second})
	if h := p.Hello(); h.Name != "example_reward" || strings.Join(h.Components, ",") != "correct,length" {
		t.Fatalf("handshake = %+v", h)
	}
	cases := []struct {
		answer, completion string
		correct            bool
	}{
		{"5", "2 + 3 = 5", true},
		{"5", "2 + 3 = 6", false},
		{"1/2", "the half is 0.5", true},          // exact rational equality
		{"12", "about 12.0001", false},            // a near miss is wrong
		{"1000", "1,000 apples", true},            // thousands separator
		{"-7", "3 minus 10 is -7", true},          // sign
		{"4", "no number here", false},            // nothing to extract
		{"42", "first 42 then finally 41", false}, // the last number counts
		{"3", "", false},                          // empty completion
		{"9", "étoile 9 ✓", true},                 // non-ASCII text
	}
	for _, c := range cases {
		r := p.Grade(Request{Task: Task{ID: "t", Prompt: "?", Answer: c.answer}, Completion: c.completion})
		if r.Err != nil {
			t.Fatalf("%q: %v", c.completion, r.Err)
		}
		if got := component(t, r, "correct"); !got.OK || got.Value != b2f(c.correct) {
			t.Errorf("%q vs answer %q: correct = %+v, want %v", c.completion, c.answer, got, b2f(c.correct))
		}
		// Python's len counts code points, as Go's utf8.RuneCountInString does.
		if got := component(t, r, "length"); !got.OK || got.Value != float64(len([]rune(c.completion))) {
			t.Errorf("%q: length = %+v, want %d", c.completion, got, len([]rune(c.completion)))
		}
		if r.Result.Correct != c.correct || !r.Done || r.Feedback != "" {
			t.Errorf("%q: correct=%v done=%v feedback=%q", c.completion, r.Result.Correct, r.Done, r.Feedback)
		}
		if names := fmt.Sprint(r.Result.Components[0].Name, r.Result.Components[1].Name); names != "correctlength" {
			t.Errorf("components out of declared order: %+v", r.Result.Components)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestPluginComponentErrorIsPerComponent(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "example_reward.py")})
	r := p.Grade(Request{Task: Task{Answer: "not a number"}, Completion: "7"})
	if r.Err != nil {
		t.Fatalf("a per-component error must not fail the call: %v", r.Err)
	}
	c := component(t, r, "correct")
	if c.OK || !strings.Contains(c.Err, "not a number") {
		t.Errorf("correct = %+v; want failed with the plugin's message", c)
	}
	if l := component(t, r, "length"); !l.OK || l.Value != 1 {
		t.Errorf("length = %+v; want OK 1", l)
	}
}

func TestFeedbackAndDone(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "example_reward.py", "--feedback")})
	r := p.Grade(Request{Task: Task{Answer: "5"}, Completion: "6"})
	if r.Done || !strings.Contains(r.Feedback, "not correct") {
		t.Errorf("wrong first attempt: done=%v feedback=%q; want done=false and feedback", r.Done, r.Feedback)
	}
	r = p.Grade(Request{Task: Task{Answer: "5"}, Completion: "6", Turn: 1, History: []PastTurn{{Completion: "6", Feedback: r.Feedback}}})
	if !r.Done || r.Feedback != "" {
		t.Errorf("second attempt: done=%v feedback=%q; want done", r.Done, r.Feedback)
	}
}

func TestTimeoutFailsCallKillsProcessGroupAndRestarts(t *testing.T) {
	const timeout = 300 * time.Millisecond
	p := newTestPool(t, Config{Command: pythonPlugin(t, "hang_plugin.py", "score", "--child"), Timeout: timeout, StartTimeout: 5 * time.Second})
	first := p.workers[0].proc
	child := childPid(t, first)
	start := time.Now()
	r := p.Grade(Request{Completion: "please hang"})
	elapsed := time.Since(start)
	requireAllFailed(t, r, "timed out after 300ms", "(restarted)", "hanging on purpose")
	if elapsed < timeout || elapsed > timeout+3*time.Second {
		t.Errorf("timed-out call took %v; want about %v plus a restart", elapsed, timeout)
	}
	if !waitUntil(2*time.Second, func() bool { return processGone(first.cmd.Process.Pid) && processGone(child) }) {
		t.Errorf("hung plugin (pid %d) or its child (pid %d) still runs after the timeout", first.cmd.Process.Pid, child)
	}
	if p.Stats().Restarts != 1 || p.Stats().Failed != 1 {
		t.Errorf("stats = %+v; want 1 restart and 1 failure", p.Stats())
	}
	r = p.Grade(Request{Completion: "fine"})
	if r.Err != nil || !component(t, r, "score").OK {
		t.Fatalf("pool does not work after the restart: %+v", r)
	}
}

func TestCrashFailsCallThenRestarts(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "crash_plugin.py"), Timeout: 5 * time.Second})
	if r := p.Grade(Request{Completion: "a"}); r.Err != nil || component(t, r, "score").Value != 1 {
		t.Fatalf("first call: %+v", r)
	}
	r := p.Grade(Request{Completion: "b"})
	requireAllFailed(t, r, "exited", "exit status 3", "dying on request 2 on purpose", "(restarted)")
	if r := p.Grade(Request{Completion: "c"}); r.Err != nil || component(t, r, "score").Value != 1 {
		t.Fatalf("call after the restart: %+v", r)
	}
	if s := p.Stats(); s.Restarts != 1 || s.Failed != 1 || s.Calls != 3 {
		t.Errorf("stats = %+v; want 3 calls, 1 failure, 1 restart", s)
	}
}

func TestBadJSONFailsCall(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "bad_json_plugin.py"), Timeout: 5 * time.Second})
	r := p.Grade(Request{Completion: "x"})
	requireAllFailed(t, r, "not JSON", "debug: scoring request", "(restarted)")
}

func TestWrongProtocolVersionIsRefused(t *testing.T) {
	_, err := NewPool(Config{Command: pythonPlugin(t, "wrong_version_plugin.py"), StartTimeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "protocol version 2") || !strings.Contains(err.Error(), "grit speaks version 1") {
		t.Fatalf("err = %v; want a protocol version error", err)
	}
}

func TestHandshakeNeverCompletedFailsWithinTimeout(t *testing.T) {
	const limit = 3 * time.Second // long enough for Python to start and log to stderr on a loaded machine
	start := time.Now()
	_, err := NewPool(Config{Command: pythonPlugin(t, "hang_plugin.py", "handshake"), Size: 2, StartTimeout: limit})
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("NewPool succeeded with a plugin that never answers the handshake")
	}
	for _, want := range []string{"timed out after 3s during the handshake", "hanging on purpose", "hang_plugin.py"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if elapsed > limit+2*time.Second {
		t.Errorf("NewPool took %v; want about %v", elapsed, limit)
	}
}

func TestExitDuringHandshakeFails(t *testing.T) {
	_, err := NewPool(Config{Command: pythonPlugin(t, "crash_plugin.py", "--at-handshake"), StartTimeout: 5 * time.Second})
	if err == nil {
		t.Fatal("NewPool succeeded with a plugin that exits during the handshake")
	}
	for _, want := range []string{"exited during the handshake", "exit status 3", "dying during the handshake"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestBadCommands(t *testing.T) {
	if _, err := NewPool(Config{}); err == nil || !strings.Contains(err.Error(), "command is empty") {
		t.Errorf("empty command: err = %v", err)
	}
	if _, err := NewPool(Config{Command: []string{"/no/such/plugin"}}); err == nil || !strings.Contains(err.Error(), "/no/such/plugin") {
		t.Errorf("missing executable: err = %v", err)
	}
}

func TestStaleAnswersAreDiscarded(t *testing.T) {
	// Answers every request twice, so each request after the first finds a stale answer first.
	cmd := inlinePlugin(t, `
import json, sys
for line in iter(sys.stdin.readline, ""):
    m = json.loads(line)
    if m["type"] == "hello":
        print(json.dumps({"type": "hello", "protocol": 1, "name": "twice", "components": ["id"]}), flush=True)
        continue
    for _ in range(2):
        print(json.dumps({"type": "result", "id": m["id"], "components": {"id": m["id"]}}), flush=True)
`)
	p := newTestPool(t, Config{Command: cmd, Timeout: 5 * time.Second})
	for range 3 {
		id := p.nextID.Load() + 1
		r := p.Grade(Request{})
		if r.Err != nil || component(t, r, "id").Value != float64(id) {
			t.Fatalf("request %d got %+v", id, r)
		}
	}
	if p.Stats().Restarts != 0 {
		t.Errorf("stale answers caused restarts: %+v", p.Stats())
	}
}

func TestConcurrentCallsGetTheirOwnAnswers(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "example_reward.py"), Size: 3, Timeout: 10 * time.Second})
	const callers = 48
	var wg sync.WaitGroup
	errs := make(chan string, callers)
	for i := range callers {
		wg.Go(func() {
			completion := strings.Repeat("x", i) + fmt.Sprint(" ", i)
			r := p.Grade(Request{Task: Task{Answer: fmt.Sprint(i)}, Completion: completion})
			if r.Err != nil || component(t, r, "length").Value != float64(len(completion)) || !r.Result.Correct {
				errs <- fmt.Sprintf("caller %d got %+v", i, r)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	reqs := make([]Request, 40)
	for i := range reqs {
		reqs[i] = Request{Task: Task{Answer: "1"}, Completion: strings.Repeat("y", i)}
	}
	for i, r := range p.GradeAll(reqs) {
		if r.Err != nil || component(t, r, "length").Value != float64(i) {
			t.Errorf("GradeAll result %d = %+v; want length %d (results in request order)", i, r, i)
		}
	}
}

func TestCloseLeavesNoProcessesOrGoroutines(t *testing.T) {
	cmd := pythonPlugin(t, "hang_plugin.py", "score", "--child")
	before := runtime.NumGoroutine()
	p, err := NewPool(Config{Command: cmd, Size: 3, Timeout: 200 * time.Millisecond, StartTimeout: 5 * time.Second, CloseGrace: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, w := range p.workers {
		pids = append(pids, w.proc.cmd.Process.Pid, childPid(t, w.proc))
	}
	// Leave one process hung mid-call so Close has to kill it rather than see it exit on stdin EOF.
	requireAllFailed(t, p.Grade(Request{Completion: "hang"}), "timed out")
	for _, w := range p.workers {
		pids = append(pids, w.proc.cmd.Process.Pid, childPid(t, w.proc))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if !waitUntil(2*time.Second, func() bool {
		for _, pid := range pids {
			if !processGone(pid) {
				return false
			}
		}
		return true
	}) {
		t.Errorf("processes still running after Close (plugins and children: %v)", pids)
	}
	requireAllFailed(t, p.Grade(Request{}), "pool is closed")
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !goroutinesSettleTo(before) {
		t.Errorf("goroutines: %d before the pool, %d after Close", before, runtime.NumGoroutine())
	}
}

func TestMinimalPluginFromTheDocs(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "minimal_plugin.py"), Timeout: 5 * time.Second})
	for _, c := range []struct {
		completion string
		want       float64
	}{{" 42\n", 1}, {"41", 0}, {"42", 1}} {
		r := p.Grade(Request{Task: Task{Answer: "42"}, Completion: c.completion})
		if got := component(t, r, "exact"); r.Err != nil || got.Value != c.want || r.Result.Correct != (c.want == 1) {
			t.Errorf("%q: %+v", c.completion, r)
		}
	}
}
