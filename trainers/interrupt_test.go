package trainers

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"grit/policy"
)

// interruptConfig is tinyRunConfig with a checkpoint every 2 steps, so step 3 is in flight between
// two periodic checkpoints.
func interruptConfig() Config {
	cfg := tinyRunConfig()
	cfg.CheckpointEvery = 2
	return cfg
}

// finalWeights are the bytes of the run's final model.safetensors.
func finalWeights(t *testing.T, dir string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "checkpoints", "latest", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// sameRun fails unless the two run folders logged the same metrics (timing aside) and ended with
// byte-identical weights.
func sameRun(t *testing.T, want, got string) {
	t.Helper()
	a, b := readMetrics(t, want), readMetrics(t, got)
	if !reflect.DeepEqual(a, b) {
		for i := range a {
			if i < len(b) && !reflect.DeepEqual(a[i], b[i]) {
				t.Fatalf("metrics line %d differs:\n uninterrupted %v\n resumed       %v", i+1, a[i], b[i])
			}
		}
		t.Fatalf("resumed run has %d metric lines, uninterrupted %d", len(b), len(a))
	}
	if !bytes.Equal(finalWeights(t, want), finalWeights(t, got)) {
		t.Fatalf("final weights differ between the uninterrupted and the resumed run")
	}
}

// uninterrupted runs cfg once, straight through, and returns its folder.
func uninterrupted(t *testing.T, cfg Config) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A first Ctrl-C (context cancelled) at any point of a step finishes that step, logs it, writes a
// checkpoint of it and returns ErrInterrupted; --resume then gives the uninterrupted run exactly.
func TestInterruptAnywhereResumesExactly(t *testing.T) {
	cfg := interruptConfig()
	straight := uninterrupted(t, cfg)
	for _, at := range []struct {
		phase string
		step  int
	}{
		{"", 0},           // before the first step (while the starting policy is evaluated)
		{phaseSampled, 3}, // during sampling
		{phaseUpdated, 3}, // during the updates, after the first optimiser step
		{phaseLogged, 3},  // between steps
		{phaseLogged, 4},  // between steps, on a checkpoint_every boundary
	} {
		t.Run(fmt.Sprintf("%s-step%d", cmp.Or(at.phase, "start"), at.step), func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if at.step == 0 {
				cancel()
			}
			_, err := Run(ctx, cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
				if phase == at.phase && step == at.step {
					cancel()
				}
			}})
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("interrupted run returned %v, want ErrInterrupted", err)
			}
			if at.step == 0 {
				if _, err := os.Stat(filepath.Join(dir, "metrics.jsonl")); !os.IsNotExist(err) {
					t.Fatalf("interrupted before step 1, the run logged a step (%v)", err)
				}
			} else if n := len(readMetrics(t, dir)); n != at.step {
				t.Fatalf("interrupted in step %d, the run logged %d steps; the step in flight should finish", at.step, n)
			}
			if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true}); err != nil {
				t.Fatal(err)
			}
			sameRun(t, straight, dir)
		})
	}
}

// A second Ctrl-C quits at once: the run folder is left as it is at that moment, possibly with a
// metrics line cut in half. --resume from the last checkpoint on disk is still exact.
func TestHardStopResumesExactlyFromLastCheckpoint(t *testing.T) {
	cfg := interruptConfig()
	straight := uninterrupted(t, cfg)
	for _, at := range []struct {
		phase string
		step  int
		torn  bool // a metrics line was being written
	}{
		{phaseSampled, 3, false},
		{phaseUpdated, 3, false},
		{phaseLogged, 3, true},
	} {
		t.Run(fmt.Sprintf("%s-step%d", at.phase, at.step), func(t *testing.T) {
			dir, killed := t.TempDir(), filepath.Join(t.TempDir(), "run")
			taken := false
			_, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
				if phase == at.phase && step == at.step && !taken {
					taken = true
					if err := copyTree(dir, killed); err != nil {
						t.Error(err)
					}
				}
			}})
			if err != nil || !taken {
				t.Fatalf("run: %v (snapshot taken: %v)", err, taken)
			}
			if at.torn {
				f, err := os.OpenFile(filepath.Join(killed, "metrics.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString(`{"step":4,"accuracy":0.`)
				f.Close()
			}
			if _, err := Run(context.Background(), cfg, RunOptions{OutDir: killed, Resume: true}); err != nil {
				t.Fatal(err)
			}
			sameRun(t, straight, killed)
		})
	}
}

// copyTree copies a folder as a killed process leaves it on disk (symbolic links kept as links).
func copyTree(src, dst string) error {
	return filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		case info.IsDir():
			return os.MkdirAll(to, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
