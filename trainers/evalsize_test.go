package trainers

import (
	"strings"
	"testing"
)

// eval_tasks above the held-out split's size: the split grows to eval_tasks when env_args leaves
// held_out_size to the env, and is an error naming both keys when it cannot.
func TestEvalTasksSizesTheHeldOutSplit(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.EnvArgs = Defaults().EnvArgs // two-digit sums: room for more than the default 200 held-out tasks
	cfg.EvalTasks = 250
	tr, err := prepare(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	if got := len(heldOut(tr.env, tr.cfg.EvalTasks)); got != 250 {
		t.Fatalf("eval_tasks 250 evaluates %d tasks", got)
	}
	if tr.cfg.EnvArgs[heldOutSizeArg] != 250 || !strings.Contains(tr.heldOutNote, "env_args.held_out_size set to 250") {
		t.Errorf("env_args %v, note %q: want held_out_size 250 and a note saying so", tr.cfg.EnvArgs, tr.heldOutNote)
	}
	if _, set := cfg.EnvArgs[heldOutSizeArg]; set {
		t.Error("the caller's env_args map was changed")
	}

	small := tinyRunConfig() // within the split: nothing changes
	small.EnvArgs, small.EvalTasks = Defaults().EnvArgs, 200
	tr2, err := prepare(small, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.close()
	if tr2.heldOutNote != "" || len(heldOut(tr2.env, small.EvalTasks)) != 200 {
		t.Errorf("eval_tasks 200 of 200: note %q, %d tasks", tr2.heldOutNote, len(heldOut(tr2.env, small.EvalTasks)))
	}

	cases := map[string]func(*Config){
		"held_out_size set":    func(c *Config) { c.EnvArgs[heldOutSizeArg] = 100; c.EvalTasks = 150 },
		"task space too small": func(c *Config) { c.EvalTasks = 250 }, // one-digit sums: a 10-task split
		"env without it": func(c *Config) {
			c.Env, c.EvalTasks = "correction", 500
			c.EnvArgs = map[string]any{"base": "arithmetic", "base_args": map[string]any{"digits_min": 1, "digits_max": 1}}
		},
	}
	for name, edit := range cases {
		c := tinyRunConfig()
		edit(&c)
		err := Prepare(c)
		if err == nil || !strings.Contains(err.Error(), "eval_tasks") || !strings.Contains(err.Error(), "env_args.held_out_size") {
			t.Errorf("%s: want an error naming eval_tasks and env_args.held_out_size, got %v", name, err)
		}
	}
}
