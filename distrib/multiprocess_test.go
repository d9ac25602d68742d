package distrib

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// natsServerBinary finds a nats-server: $GRITDEV_NATS_SERVER, one on PATH, or one built from the
// nats-server module this repository requires. It skips the test, saying why, when none can be had.
func natsServerBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("GRITDEV_NATS_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	out := filepath.Join(t.TempDir(), "nats-server")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if msg, err := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		t.Skipf("no nats-server on PATH (apt-get install nats-server) and building the module's server failed: %v\n%s", err, msg)
	}
	return out
}

// freePort is a loopback TCP port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lineWatcher copies a process's stderr into a buffer and signals the first line containing want.
type lineWatcher struct {
	mu   sync.Mutex
	text strings.Builder
}

func (w *lineWatcher) watch(r io.Reader, want string, hit chan<- struct{}) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		w.mu.Lock()
		w.text.WriteString(sc.Text() + "\n")
		w.mu.Unlock()
		if !sent && want != "" && strings.Contains(sc.Text(), want) {
			sent = true
			close(hit)
		}
	}
}

func (w *lineWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.text.String()
}

// A real nats-server with user/password auth, the learner (`train`) and two `train worker`
// processes on loopback; one worker is SIGKILLed during step 2. metrics.jsonl (timing keys aside)
// and the final weights equal the single-process run's.
func TestMultiProcessWorkersWithKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds train and starts a nats-server and three processes")
	}
	server := natsServerBinary(t)
	want := singleRun(t)
	tmp := t.TempDir()
	train := filepath.Join(tmp, "train")
	if msg, err := exec.Command("go", "build", "-o", train, "grit/cmd/train").CombinedOutput(); err != nil {
		t.Fatalf("building train: %v\n%s", err, msg)
	}
	port := freePort(t)
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	srv := exec.Command(server, "-js", "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-sd", filepath.Join(tmp, "js"),
		"--user", "grit", "--pass", "mp-secret")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for Ping(url, Auth{User: "grit", Password: "mp-secret"}) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("nats-server %s did not come up on %s", server, url)
		}
		time.Sleep(100 * time.Millisecond)
	}
	env := append(os.Environ(), "GRIT_WORKERS_PASSWORD=mp-secret")
	abs, _ := filepath.Abs("testdata/tiny.yaml")
	out := filepath.Join(tmp, "run")
	learner := exec.Command(train, "--config", abs, "--out", out, "--set", "workers.enabled=true",
		"--set", "workers.url="+url, "--set", "workers.user=grit", "--set", "workers.ack_wait_s=1")
	learner.Env = env
	var learnerOut strings.Builder
	learner.Stdout, learner.Stderr = &learnerOut, &learnerOut
	if err := learner.Start(); err != nil {
		t.Fatal(err)
	}
	var workers [2]*exec.Cmd
	var logs [2]*lineWatcher
	hit := make(chan struct{})
	for i := range workers {
		w := exec.Command(train, "worker", "--connect", url, "--user", "grit", "--id", fmt.Sprintf("proc%d", i))
		w.Env = env
		stderr, err := w.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { w.Process.Kill(); w.Wait() }()
		logs[i] = &lineWatcher{}
		want := ""
		if i == 0 {
			want = "s000002-" // its first task of step 2
		}
		go logs[i].watch(stderr, want, hit)
		workers[i] = w
	}
	select {
	case <-hit:
		workers[0].Process.Signal(syscall.SIGKILL)
	case <-time.After(90 * time.Second):
		t.Fatalf("worker 0 never got a task of step 2\nlearner:\n%s\nworker 0:\n%s", learnerOut.String(), logs[0])
	}
	done := make(chan error, 1)
	go func() { done <- learner.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("learner: %v\n%s\nworker 1:\n%s", err, learnerOut.String(), logs[1])
		}
	case <-time.After(2 * time.Minute):
		learner.Process.Kill()
		t.Fatalf("learner did not finish\n%s", learnerOut.String())
	}
	m := assertSameRun(t, want, out)
	if sumKey(m, "workers/count") == 0 {
		t.Fatalf("no worker result accepted\n%s", learnerOut.String())
	}
	raw, err := os.ReadFile(filepath.Join(out, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "mp-secret") || strings.Contains(learnerOut.String(), "mp-secret") {
		t.Fatal("the password reached config.yaml or the learner's output")
	}
	t.Logf("worker 1 log tail:\n%s", tail(logs[1].String(), 3))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
