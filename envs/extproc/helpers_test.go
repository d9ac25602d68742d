package extproc

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	pythonOnce sync.Once
	pythonPath string
)

// python3 finds the real Python executable (not a version manager's shim script, which adds
// start-up time), or skips the test when there is none.
func python3(t testing.TB) string {
	t.Helper()
	pythonOnce.Do(func() {
		shim, err := exec.LookPath("python3")
		if err != nil {
			return
		}
		out, err := exec.Command(shim, "-c", "import sys; print(sys.executable)").Output()
		if err != nil {
			return
		}
		pythonPath = strings.TrimSpace(string(out))
	})
	if pythonPath == "" {
		t.Skip("python3 not found; plugin process tests need it")
	}
	return pythonPath
}

// pythonPlugin returns the command that runs plugins/python/<name> with args, skipping the test
// when python3 is not installed.
func pythonPlugin(t testing.TB, name string, args ...string) []string {
	t.Helper()
	py := python3(t)
	path, err := filepath.Abs(filepath.Join("..", "..", "plugins", "python", name))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{py, path}, args...)
}

// inlinePlugin writes a test-only Python plugin to a temp file and returns its command.
func inlinePlugin(t *testing.T, source string) []string {
	t.Helper()
	py := python3(t)
	path := filepath.Join(t.TempDir(), "plugin.py")
	if err := os.WriteFile(path, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{py, path}
}

func newTestPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// processGone reports whether pid no longer runs (gone, or a zombie nobody has reaped yet).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// Format: pid (comm) state ...; comm may hold spaces, so look after the last ')'.
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] == "Z"
}

// waitUntil polls cond for up to limit.
func waitUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// childPid reads the pid hang_plugin.py --child logs to the stderr of pr (copied asynchronously).
func childPid(t *testing.T, pr *process) int {
	t.Helper()
	const marker = "child pid "
	waitUntil(2*time.Second, func() bool { return strings.Contains(pr.stderr.String(), marker) })
	stderr := pr.stderr.String()
	i := strings.Index(stderr, marker)
	if i < 0 {
		t.Fatalf("no %q in plugin stderr %q", marker, stderr)
	}
	f := strings.Fields(stderr[i+len(marker):])
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatalf("bad child pid in %q: %v", stderr, err)
	}
	return pid
}

func goroutinesSettleTo(n int) bool {
	return waitUntil(2*time.Second, func() bool { return runtime.NumGoroutine() <= n })
}
