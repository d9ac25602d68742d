package extproc

import (
	"strings"
	"sync"
)

// stderrTail keeps the last bytes a plugin wrote to stderr, so errors can show them.
type stderrTail struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func newStderrTail(max int) *stderrTail { return &stderrTail{max: max} }

func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String returns the kept tail, trimmed.
func (t *stderrTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

// suffix is "; stderr: <tail>" or "" when the plugin wrote nothing to stderr.
func (t *stderrTail) suffix() string {
	s := t.String()
	if s == "" {
		return ""
	}
	return "; stderr: " + s
}
