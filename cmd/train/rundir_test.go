package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"grit/trainers"
)

// startConcurrently runs `train args...` n times at once (all in the same second) and returns
// each start's exit code and run folder ("" when it did not train).
func startConcurrently(t *testing.T, n int, args ...string) (codes []int, dirs []string) {
	t.Helper()
	codes, dirs = make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		a, fr, _, _ := newTestApp(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = a.execute(args)
			if fr.called {
				dirs[i] = fr.opts.OutDir
			}
		}()
	}
	wg.Wait()
	return codes, dirs
}

func TestConcurrentDefaultRunsGetTheirOwnFolders(t *testing.T) {
	t.Chdir(t.TempDir())
	const n = 6
	codes, dirs := startConcurrently(t, n, "--set", "env="+testEnv)
	seen := map[string]bool{}
	for i := range n {
		if codes[i] != 0 || dirs[i] == "" {
			t.Errorf("start %d: exit %d, run folder %q", i, codes[i], dirs[i])
			continue
		}
		if seen[dirs[i]] {
			t.Errorf("two runs share %s", dirs[i])
		}
		seen[dirs[i]] = true
		if !strings.HasPrefix(dirs[i], filepath.Join("runs", "grpo-20250102-030405")) {
			t.Errorf("run folder %s is not named after the algo and time", dirs[i])
		}
	}
}

func TestConcurrentStartsOnOneOutFolder(t *testing.T) {
	for _, existing := range []bool{false, true} { // a new folder, or an existing empty one
		out := filepath.Join(t.TempDir(), "run")
		if existing {
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		codes, _ := startConcurrently(t, 6, "--set", "env="+testEnv, "--out", out)
		ok := 0
		for _, c := range codes {
			switch c {
			case 0:
				ok++
			case exitConfigError:
			default:
				t.Errorf("existing=%v: exit %d, want 0 or 2", existing, c)
			}
		}
		if ok != 1 {
			t.Errorf("existing=%v: %d of 6 concurrent runs on one --out trained, want exactly 1 (exits %v)", existing, ok, codes)
		}
	}
}

// A folder holding files grit did not write (no config.yaml) is refused and left untouched.
func TestOutWithForeignFilesIsRefused(t *testing.T) {
	out := t.TempDir()
	metrics := filepath.Join(out, "metrics.jsonl")
	if err := os.WriteFile(metrics, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(out, "checkpoints"), 0o755); err != nil {
		t.Fatal(err)
	}
	a, fr, _, errOut := newTestApp(t)
	if code := a.execute([]string{"--set", "env=" + testEnv, "--out", out}); code != exitConfigError || fr.called {
		t.Errorf("exit %d, trained %v; want exit 2 and no run", code, fr.called)
	}
	for _, f := range []string{out, "metrics.jsonl", "not empty", "config.yaml"} {
		if !strings.Contains(errOut.String(), f) {
			t.Errorf("error %q does not mention %q", errOut, f)
		}
	}
	if b, _ := os.ReadFile(metrics); string(b) != "precious\n" {
		t.Errorf("metrics.jsonl was changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, "config.yaml")); err == nil {
		t.Error("config.yaml written into a foreign folder")
	}
}

// With the real checks, config problems exit 2 before the run folder exists, and --dry-run finds
// the same problems.
func TestConfigProblemsExit2BeforeTheRunFolder(t *testing.T) {
	for _, c := range []struct {
		sets    []string
		mention string
	}{
		{[]string{"env_args.digits_maxx=3"}, "digits_maxx"},
		{[]string{"init=" + filepath.Join(t.TempDir(), "absent")}, "init"},
		{[]string{"init=", "model.n_heads=5"}, "NHeads"},
		{[]string{"lr_schedule=cosine", "warmup_steps=100000"}, "lr_schedule"},
		{[]string{"algo=score"}, "multi-attempt"},
	} {
		for _, dry := range []bool{false, true} {
			out := filepath.Join(t.TempDir(), "run")
			args := []string{"--out", out}
			for _, s := range c.sets {
				args = append(args, "--set", s)
			}
			if dry {
				args = append(args, "--dry-run")
			}
			a, fr, _, errOut := newTestApp(t)
			a.prepare = trainers.Prepare
			if code := a.execute(args); code != exitConfigError || fr.called {
				t.Errorf("%v: exit %d, trained %v; want exit 2", args, code, fr.called)
			}
			if !strings.Contains(errOut.String(), c.mention) {
				t.Errorf("%v: error %q does not mention %q", args, errOut, c.mention)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%v: run folder created despite the config error", args)
			}
		}
	}
	// A shipped config passes the same checks from another directory: its init is relative to it.
	a, _, _, errOut := newTestApp(t)
	a.prepare = trainers.Prepare
	cfgPath, _ := filepath.Abs("../../configs/ci/score.yaml")
	t.Chdir(t.TempDir())
	if code := a.execute([]string{"--config", cfgPath, "--dry-run"}); code != 0 {
		t.Errorf("dry run of %s from elsewhere: exit %d: %s", cfgPath, code, errOut)
	}
}

func TestUnknownFlagPointsToSet(t *testing.T) {
	for args, want := range map[string]string{
		"--lr 1e-3":            "--set lr=1e-3",
		"--steps=5":            "--set steps=5",
		"--env_args.digits 3":  "--set env_args.digits=3",
		"--learning-rate 1e-3": "--set lr=1e-3",
		"--bogus":              "--set key=value",
	} {
		a, _, _, errOut := newTestApp(t)
		if code := a.execute(strings.Fields(args)); code != exitConfigError {
			t.Errorf("%s: exit %d, want 2", args, code)
		}
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("%s: error %q does not suggest %q", args, errOut, want)
		}
	}
}
