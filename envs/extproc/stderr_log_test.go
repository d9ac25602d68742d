package extproc

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the pool's concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const chattyPlugin = `import json, sys
print("chatty: loaded", file=sys.stderr, flush=True)
for line in sys.stdin:
    m = json.loads(line)
    if m["type"] == "hello":
        print(json.dumps({"type": "hello", "protocol": 1, "name": "chatty", "components": ["score"]}), flush=True)
        continue
    print("chatty: scored " + m["completion"], file=sys.stderr, flush=True)
    print(json.dumps({"type": "result", "id": m["id"], "components": {"score": 1}}), flush=True)
`

// The plugin's stderr reaches the log even when nothing fails, including what it wrote before the
// log was attached, each line marked with its process.
func TestStderrLogKeepsEverythingWithoutFailures(t *testing.T) {
	p := newTestPool(t, Config{Command: inlinePlugin(t, chattyPlugin), Timeout: 5 * time.Second})
	var log lockedBuffer
	p.SetStderrLog(&log)
	for _, c := range []string{"a", "b"} {
		if r := p.Grade(Request{Completion: c}); r.Err != nil {
			t.Fatalf("call %q failed: %v", c, r.Err)
		}
	}
	want := []string{"[plugin 1] chatty: loaded\n", "[plugin 1] chatty: scored a\n", "[plugin 1] chatty: scored b\n"}
	ok := waitUntil(2*time.Second, func() bool {
		for _, w := range want {
			if !strings.Contains(log.String(), w) {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("stderr log %q lacks some of %q", log.String(), want)
	}
	if s := p.Stats(); s.Calls != 2 || s.Failed != 0 || s.Timeouts != 0 || s.Restarts != 0 {
		t.Errorf("stats %+v; want 2 calls and nothing else", s)
	}
}

// A timed-out call is counted as a timeout; grit's "(restarted)" comes before the plugin's stderr
// tail in the error (never after it, where it would read as the plugin's own words), and the log
// marks grit's note as grit's.
func TestTimeoutCountedAndRestartNotMixedWithPluginStderr(t *testing.T) {
	p := newTestPool(t, Config{Command: pythonPlugin(t, "hang_plugin.py", "score"), Timeout: 300 * time.Millisecond, StartTimeout: 5 * time.Second})
	var log lockedBuffer
	p.SetStderrLog(&log)
	r := p.Grade(Request{Task: Task{ID: "t7"}, Completion: "please hang"})
	if r.Err == nil {
		t.Fatal("the hanging call succeeded")
	}
	msg := r.Err.Error()
	restarted, tail := strings.Index(msg, "(restarted)"), strings.Index(msg, "; stderr: ")
	if restarted < 0 || tail < 0 || restarted > tail {
		t.Errorf("error %q: want (restarted) before the plugin's stderr tail", msg)
	}
	if strings.HasSuffix(msg, "(restarted)") {
		t.Errorf("error %q ends with (restarted), as if the plugin had printed it", msg)
	}
	if s := p.Stats(); s.Timeouts != 1 || s.Failed != 1 || s.Restarts != 1 {
		t.Errorf("stats %+v; want 1 timeout, 1 failure, 1 restart", s)
	}
	if !waitUntil(2*time.Second, func() bool {
		l := log.String()
		return strings.Contains(l, "[plugin 1] hang_plugin: hanging on purpose") && strings.Contains(l, `[grit] plugin 1, request "t7": plugin timed out`)
	}) {
		t.Errorf("stderr log %q lacks the plugin's line or grit's note", log.String())
	}
}
