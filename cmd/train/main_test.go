package main

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"grit/envs"
	"grit/trainers"
	"grit/trainers/configfile"
)

// testEnv is registered so that runs in these tests name a known env.
const testEnv = "cmdtest-env"

func init() {
	envs.Register(testEnv, func(envs.Params) (envs.Env, error) { return nil, errors.New("not for use") })
}

// fakeRun records one trainers.Run call.
type fakeRun struct {
	called  bool
	cfg     trainers.Config
	opts    trainers.RunOptions
	written trainers.Config // DIR/config.yaml as it was when Run started
	err     error           // what Run returns
}

func newTestApp(t *testing.T, environ ...string) (*app, *fakeRun, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	fr := &fakeRun{}
	a := &app{
		stdout: &out, stderr: &errOut, environ: environ,
		now:  func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
		exit: func(code int) { t.Errorf("exit(%d) called", code) },
		// testEnv cannot be built; tests of the real checks set prepare to trainers.Prepare.
		prepare: func(trainers.Config) error { return nil },
		run: func(ctx context.Context, cfg trainers.Config, opts trainers.RunOptions) (*trainers.Summary, error) {
			fr.called, fr.cfg, fr.opts = true, cfg, opts
			var err error
			if fr.written, err = configfile.LoadResolved(opts.OutDir); err != nil {
				t.Errorf("config.yaml not readable when Run starts: %v", err)
			}
			metrics := `{"step":1,"reward_mean":0.2,"accuracy":0.2}` + "\n" + `{"step":2,"reward_mean":0.4,"accuracy":0.5,"eval_accuracy":0.55}` + "\n"
			if err := os.WriteFile(filepath.Join(opts.OutDir, "metrics.jsonl"), []byte(metrics), 0o644); err != nil {
				t.Error(err)
			}
			if cfg.Steps > 0 { // the report names only what is there
				os.MkdirAll(filepath.Join(opts.OutDir, "rollouts"), 0o755)
				os.WriteFile(filepath.Join(opts.OutDir, "rollouts", "step-000001.arrow"), nil, 0o644)
				os.WriteFile(filepath.Join(opts.OutDir, "report.html"), nil, 0o644)
				os.MkdirAll(filepath.Join(opts.OutDir, "tb"), 0o755)
			}
			opts.Progress(trainers.StepReport{Step: 1, Steps: 2, Reward: 0.2, Accuracy: 0.2, EvalAcc: math.NaN(), TokensPerS: 900, ElapsedS: 1})
			if fr.err != nil {
				return nil, fr.err
			}
			return &trainers.Summary{
				Base:         trainers.EvalMetrics{"accuracy": 0.3},
				Final:        trainers.EvalMetrics{"accuracy": 0.755},
				BestAccuracy: 0.76, BestStep: 2, RunDir: opts.OutDir,
			}, nil
		},
		eval: func(context.Context, trainers.EvalOptions) (trainers.EvalMetrics, error) {
			t.Error("eval called unexpectedly")
			return nil, nil
		},
	}
	return a, fr, &out, &errOut
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDryRunPrintsResolvedConfig(t *testing.T) {
	a, fr, out, _ := newTestApp(t)
	if code := a.execute([]string{"--dry-run"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	def := trainers.Defaults()
	def.Init, _ = filepath.Abs(def.Init) // a resolved config holds absolute paths
	want, _ := configfile.Dump(def)
	if out.String() != string(want) {
		t.Errorf("--dry-run with no flags should print the defaults:\n%s\nwant\n%s", out, want)
	}
	if fr.called {
		t.Error("--dry-run must not train")
	}
}

func TestDryRunAppliesEveryLayer(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "c.yaml", "algo: score\nsteps: 12\nlr: 1.0e-3\n")
	a, _, out, _ := newTestApp(t, "GRIT_LR=2e-3", "GRIT_SEED=9")
	code := a.execute([]string{"--config", path, "--algo", "nft", "--set", "lr=5e-4", "--set", "env_args.ops=[+, -]", "--dry-run"})
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got, err := configfile.Load(writeFile(t, dir, "dumped.yaml", out.String()), nil, nil)
	if err != nil {
		t.Fatalf("dry-run output does not load: %v\n%s", err, out)
	}
	if got.Algo != "nft" || got.Steps != 12 || got.LR != 5e-4 || got.Seed != 9 ||
		!reflect.DeepEqual(got.EnvArgs["ops"], []any{"+", "-"}) {
		t.Errorf("resolved config: algo %q steps %d lr %g seed %d env_args %v", got.Algo, got.Steps, got.LR, got.Seed, got.EnvArgs)
	}
}

func TestConfigErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "steps: 3\n  lr: [\n")
	for _, c := range []struct {
		args      []string
		fragments []string
	}{
		{[]string{"--set", "lrr=1"}, []string{"train: ", `"lrr"`, `did you mean "lr"`}},
		{[]string{"--set", "steps=1.5"}, []string{"steps", "an integer"}},
		{[]string{"--algo", "ppo"}, []string{"algo", "grpo, sft, score, nft, hdpo"}},
		{[]string{"--config", bad}, []string{bad, "line"}},
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, []string{"does not exist"}},
		{[]string{"--set", "env=nowhere", "--out", filepath.Join(dir, "r")}, []string{"unknown env", "nowhere", testEnv}},
		{[]string{"--bogus"}, []string{"bogus"}},
		{[]string{"extra"}, []string{"unexpected argument"}},
	} {
		a, fr, _, errOut := newTestApp(t)
		if code := a.execute(c.args); code != exitConfigError {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, exitConfigError, errOut)
		}
		for _, f := range c.fragments {
			if !strings.Contains(errOut.String(), f) {
				t.Errorf("%v: stderr %q does not mention %q", c.args, errOut, f)
			}
		}
		if fr.called {
			t.Errorf("%v: trained despite a config error", c.args)
		}
	}
}

func TestRunWritesConfigAndReports(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run1")
	a, fr, stdout, stderr := newTestApp(t)
	code := a.execute([]string{"--set", "env=" + testEnv, "--set", "steps=2", "--out", out})
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if fr.opts.OutDir != out || fr.opts.Resume || fr.cfg.Steps != 2 || fr.opts.Log == nil {
		t.Errorf("Run got opts %+v cfg.Steps %d", fr.opts, fr.cfg.Steps)
	}
	if !reflect.DeepEqual(fr.written, fr.cfg) {
		t.Errorf("config.yaml written before Run differs from the config Run got")
	}
	for _, f := range []string{"step 1/2", "30.0%", "75.5%", "+45.5 points", out, " --resume " + out, " eval " + out, filepath.Join(out, "report.html"), "tensorboard --logdir"} {
		if !strings.Contains(stdout.String(), f) {
			t.Errorf("report does not mention %q:\n%s", f, stdout)
		}
	}
	for _, p := range []string{"reward.svg", "accuracy.svg"} {
		if _, err := os.Stat(filepath.Join(out, "plots", p)); err != nil {
			t.Errorf("plot missing: %v", err)
		}
	}

	// The same --out again is refused: it holds a run.
	a2, fr2, _, errOut := newTestApp(t)
	if code := a2.execute([]string{"--set", "env=" + testEnv, "--out", out}); code != exitConfigError || fr2.called {
		t.Errorf("reusing a run folder: exit %d, trained %v", code, fr2.called)
	}
	if !strings.Contains(errOut.String(), "--resume") {
		t.Errorf("reusing a run folder should point to --resume: %q", errOut)
	}
}

func TestDefaultOutDir(t *testing.T) {
	t.Chdir(t.TempDir())
	a, fr, _, stderr := newTestApp(t, "GRIT_ENV="+testEnv)
	if code := a.execute([]string{"--algo", "sft"}); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := filepath.Join("runs", "sft-20250102-030405"); fr.opts.OutDir != want {
		t.Errorf("out dir %q, want %q", fr.opts.OutDir, want)
	}
}

func TestRunErrorsAndInterrupt(t *testing.T) {
	for _, c := range []struct {
		err       error
		code      int
		fragments []string
	}{
		{trainers.ErrInterrupted, exitInterrupted, []string{"train --resume "}},
		{errors.New("boom"), exitRunError, []string{"train: boom"}},
	} {
		out := filepath.Join(t.TempDir(), "run")
		a, fr, stdout, stderr := newTestApp(t)
		fr.err = c.err
		if code := a.execute([]string{"--set", "env=" + testEnv, "--out", out}); code != c.code {
			t.Errorf("%v: exit %d, want %d", c.err, code, c.code)
		}
		for _, f := range c.fragments {
			if !strings.Contains(stdout.String()+stderr.String(), f) {
				t.Errorf("%v: output does not mention %q:\n%s%s", c.err, f, stdout, stderr)
			}
		}
	}
}

func TestResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := trainers.Defaults()
	cfg.Env, cfg.Steps, cfg.LR = testEnv, 33, 7e-4
	cfg.Init = filepath.Join(t.TempDir(), "base") // config.yaml holds absolute paths
	if err := configfile.WriteResolved(dir, cfg); err != nil {
		t.Fatal(err)
	}
	// Other settings with --resume are refused, whatever they are.
	for _, extra := range [][]string{{"--algo", "sft"}, {"--config", "x.yaml"}, {"--set", "lr=1"}, {"--out", "elsewhere"}} {
		a, fr, _, errOut := newTestApp(t)
		args := append([]string{"--resume", dir}, extra...)
		if code := a.execute(args); code != exitConfigError || fr.called {
			t.Errorf("%v: exit %d trained %v, want exit 2 and no run", args, code, fr.called)
		}
		if !strings.Contains(errOut.String(), extra[0]) || !strings.Contains(errOut.String(), "--resume") {
			t.Errorf("%v: error should name --resume and %s: %q", args, extra[0], errOut)
		}
	}
	// The environment does not leak into a resumed run.
	a, fr, _, stderr := newTestApp(t, "GRIT_LR=1")
	if code := a.execute([]string{"--resume", dir}); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !fr.opts.Resume || fr.opts.OutDir != dir || !reflect.DeepEqual(fr.cfg, cfg) {
		t.Errorf("resume ran with opts %+v cfg lr %g steps %d", fr.opts, fr.cfg.LR, fr.cfg.Steps)
	}
	// A folder without config.yaml is not a run.
	a, _, _, errOut := newTestApp(t)
	if code := a.execute([]string{"--resume", t.TempDir()}); code != exitConfigError || !strings.Contains(errOut.String(), "config.yaml") {
		t.Errorf("resume of a non-run: exit %d, %q", code, errOut)
	}
}

// --dry-run shows which built-in defaults apply: sft's own adam_beta2 0.999, named in a comment.
func TestDryRunShowsTheAlgorithmDefaults(t *testing.T) {
	a, _, out, _ := newTestApp(t)
	if code := a.execute([]string{"--algo", "sft", "--dry-run"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"sft's own adam_beta2 0.999", "\nadam_beta2: 0.999\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--algo sft --dry-run lacks %q:\n%s", want, out)
		}
	}
	a, _, out, _ = newTestApp(t)
	if code := a.execute([]string{"--dry-run"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "grpo has none of its own") || !strings.Contains(out.String(), "\nadam_beta2: 0.99\n") {
		t.Errorf("--dry-run (grpo) should say it uses the shared defaults:\n%s", out)
	}
}
