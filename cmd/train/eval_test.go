package main

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"grit/trainers"
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
		{[]string{"eval", "--checkpoint", ckpt, "--env", testEnv, "extra"}, "unexpected argument"},
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
