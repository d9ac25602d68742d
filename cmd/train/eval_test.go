package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"grit/trainers"
	"grit/trainers/configfile"
)

func TestEvalFlagValidation(t *testing.T) {
	ckpt := t.TempDir()
	for _, c := range []struct {
		args     []string
		fragment string
	}{
		{[]string{"eval", "--env", testEnv}, "--checkpoint DIR is required"},
		{[]string{"eval", "--checkpoint", ckpt}, "--env NAME is required"},
		{[]string{"eval", "--checkpoint", ckpt + "/nope", "--env", testEnv}, "not a folder"},
		{[]string{"eval", "--checkpoint", ckpt, "--env", "nowhere"}, testEnv},
		{[]string{"eval", "--checkpoint", ckpt, "--env", testEnv, "--tasks", "-1"}, "--tasks"},
		{[]string{"eval", "--checkpoint", ckpt, "--env", testEnv, "--pass-k", "-2"}, "--pass-k"},
		{[]string{"eval", "--checkpoint", ckpt, "--env", testEnv, "--tasks", "many"}, "tasks"},
		{[]string{"eval", "--checkpoint", ckpt, "--env", testEnv, "--set", "lr=1"}, "env_args"},
		{[]string{"eval", "--checkpoint", ckpt, "--env", testEnv, "extra"}, "not a run folder"},
		{[]string{"eval", ckpt, "extra"}, "unexpected argument"},
	} {
		a, _, _, errOut := newTestApp(t)
		if code := a.execute(c.args); code != exitConfigError {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if !strings.Contains(errOut.String(), c.fragment) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, errOut, c.fragment)
		}
	}
}

func TestEvalPassesOptionsAndPrintsMetrics(t *testing.T) {
	ckpt := t.TempDir()
	a, _, out, errOut := newTestApp(t)
	var got trainers.EvalOptions
	a.eval = func(_ context.Context, o trainers.EvalOptions) (trainers.EvalMetrics, error) {
		got = o
		return trainers.EvalMetrics{"accuracy": 0.4375, "pass@8": 0.9}, nil
	}
	code := a.execute([]string{"eval", "--checkpoint", ckpt, "--env", testEnv, "--tasks", "50", "--pass-k", "8",
		"--set", "env_args.digits=3", "--set", "env_args.mode=sub"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	def := trainers.Defaults()
	want := trainers.EvalOptions{Checkpoint: ckpt, Env: testEnv, EnvArgs: map[string]any{"digits": 3, "mode": "sub"},
		Tasks: 50, PassK: 8, MaxNew: def.MaxNewTokens, Seed: def.Seed}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Eval options %+v, want %+v", got, want)
	}
	if !strings.Contains(out.String(), "0.4375") || !strings.Contains(out.String(), "pass@8") {
		t.Errorf("metrics not printed: %q", out)
	}
}

// With the real Eval, a folder that holds no policy and bad env settings are command-line
// mistakes (exit 2), and the message names the command once.
func TestEvalRealErrorsExit2WithOnePrefix(t *testing.T) {
	empty := t.TempDir()
	for _, c := range []struct {
		args     []string
		fragment string
	}{
		{[]string{"eval", "--checkpoint", empty, "--env", "arithmetic"}, "not a policy folder"},
		{[]string{"eval", "--checkpoint", "../../configs/base/arithmetic", "--env", "arithmetic", "--set", "env_args.digits_maxx=3"}, "digits_maxx"},
	} {
		a, _, _, errOut := newTestApp(t)
		a.eval = trainers.Eval
		if code := a.execute(c.args); code != exitConfigError {
			t.Errorf("%v: exit %d, want 2 (%s)", c.args, code, errOut)
		}
		if !strings.Contains(errOut.String(), c.fragment) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, errOut, c.fragment)
		}
		if n := strings.Count(errOut.String(), "eval:"); n != 1 {
			t.Errorf("%v: %q says eval: %d times, want once", c.args, errOut, n)
		}
	}
}

// `train eval RUN` takes the checkpoint, env, env_args, max_new_tokens, eval_tasks and seed from
// the run folder; flags override each of them.
func TestEvalRunFolderReadsItsConfig(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	cfg := trainers.Defaults()
	cfg.Env, cfg.EnvArgs, cfg.MaxNewTokens, cfg.Seed, cfg.EvalTasks = testEnv, map[string]any{"digits": 4, "mode": "mul"}, 9, 42, 30
	if err := configfile.WriteResolved(run, cfg); err != nil {
		t.Fatal(err)
	}
	best := filepath.Join(run, "checkpoints", "best")
	if err := os.MkdirAll(best, 0o755); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	for _, c := range []struct {
		args []string
		want trainers.EvalOptions
	}{
		{[]string{"eval", run}, trainers.EvalOptions{Checkpoint: best, Env: testEnv, EnvArgs: map[string]any{"digits": 4, "mode": "mul"}, Tasks: 30, MaxNew: 9, Seed: 42}},
		{[]string{"eval", run, "--set", "env_args.digits=2", "--checkpoint", other, "--tasks", "0", "--max-new-tokens", "5", "--seed", "3", "--pass-k", "4"},
			trainers.EvalOptions{Checkpoint: other, Env: testEnv, EnvArgs: map[string]any{"digits": 2, "mode": "mul"}, Tasks: 0, PassK: 4, MaxNew: 5, Seed: 3}},
	} {
		a, _, _, errOut := newTestApp(t)
		var got trainers.EvalOptions
		a.eval = func(_ context.Context, o trainers.EvalOptions) (trainers.EvalMetrics, error) {
			got = o
			return trainers.EvalMetrics{"accuracy": 1}, nil
		}
		if code := a.execute(c.args); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", c.args, got, c.want)
		}
	}
}

// An rrr run folder is evaluated with its reflect-and-retry settings; --env another env drops them.
func TestEvalRRRRunFolderReflectsAndRetries(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	cfg := trainers.DefaultsFor("rrr")
	cfg.Env, cfg.EnvArgs = testEnv, map[string]any{"digits": 4, "mode": "mul"}
	cfg.RRR = trainers.RRRConfig{Reflect: true, ReflectionPrompt: "?", MaxReflectionTokens: 3, Group: trainers.RRRGroupAttempt}
	if err := configfile.WriteResolved(run, cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(run, "checkpoints", "best"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want *trainers.RRRConfig
	}{
		{[]string{"eval", run}, &cfg.RRR},
		{[]string{"eval", run, "--env", testEnv}, nil},
	} {
		a, _, _, errOut := newTestApp(t)
		var got trainers.EvalOptions
		a.eval = func(_ context.Context, o trainers.EvalOptions) (trainers.EvalMetrics, error) {
			got = o
			return trainers.EvalMetrics{"accuracy": 1}, nil
		}
		if code := a.execute(c.args); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		if !reflect.DeepEqual(got.RRR, c.want) {
			t.Errorf("%v: RRR %+v, want %+v", c.args, got.RRR, c.want)
		}
	}
}
