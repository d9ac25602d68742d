package tool

import (
	"testing"

	"grit/envs"
	"grit/rewards"
)

func mustEnv(t *testing.T, p envs.Params) *Env {
	t.Helper()
	e, err := envs.New("tool", p)
	if err != nil {
		t.Fatal(err)
	}
	return e.(*Env)
}

func component(t *testing.T, r rewards.Result, name string) float64 {
	t.Helper()
	c, ok := rewards.Lookup(r, name)
	if !ok || !c.OK {
		t.Fatalf("component %q missing or failed in %+v", name, r)
	}
	return c.Value
}

// turn is one step of a scripted episode and what the env must answer.
type turn struct {
	action      string
	observation string
	done        bool
	toolCalls   int
	correct     float64
	format      float64
}

func play(t *testing.T, env *Env, task envs.Task, turns []turn) {
	t.Helper()
	ep, err := env.Reset(task)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range turns {
		res, err := ep.Step(want.action)
		if err != nil {
			t.Fatalf("turn %d: %v", i+1, err)
		}
		if res.Observation != want.observation || res.Done != want.done || res.ToolCalls != want.toolCalls {
			t.Fatalf("turn %d (%q): observation %q done %v calls %d; want %q %v %d",
				i+1, want.action, res.Observation, res.Done, res.ToolCalls, want.observation, want.done, want.toolCalls)
		}
		if c, f := component(t, res.Reward, ComponentCorrect), component(t, res.Reward, ComponentFormat); c != want.correct || f != want.format {
			t.Fatalf("turn %d (%q): correct %v format %v; want %v %v", i+1, want.action, c, f, want.correct, want.format)
		}
		if res.Reward.Correct != (want.correct == 1) {
			t.Fatalf("turn %d: Result.Correct %v with correct component %v", i+1, res.Reward.Correct, want.correct)
		}
	}
	if _, err := ep.Step("1"); err == nil {
		t.Fatal("Step after the episode ended must be an error")
	}
}

var task4783 = makeTask(47, '*', 83, "2*2", Hard)

func TestEpisodes(t *testing.T) {
	env := mustEnv(t, nil)
	cases := map[string][]turn{
		"call then answer": {
			{"<calc>47*83</calc>", "<r>3901</r>", false, 1, 0, 0},
			{"3901", "", true, 0, 1, 1},
		},
		"direct answer": {
			{"3901", "", true, 0, 1, 1},
		},
		"wrong direct answer": {
			{"3910", "", true, 0, 0, 1},
		},
		"correct but not bare": {
			{"= 3901", "", true, 0, 1, 0},
		},
		"bad call, recall, answer": {
			{"<calc>47*83", "<r>error</r>", false, 1, 0, 0},
			{"<calc>(47)*(83)</calc>", "<r>3901</r>", false, 1, 0, 0},
			{"3901", "", true, 0, 1, 1},
		},
		"max turns exhausted by calls": {
			{"<calc>47*83</calc>", "<r>3901</r>", false, 1, 0, 0},
			{"<calc>47*83</calc>", "<r>3901</r>", false, 1, 0, 0},
			{"<calc>47*83</calc>", "", true, 1, 0, 0},
		},
		"hostile calls": {
			{"<calc>1/0</calc>", "<r>error</r>", false, 1, 0, 0},
			{"<calc><calc>99999999999999999999*9</calc></calc>", "<r>error</r>", false, 1, 0, 0},
			{"3901", "", true, 0, 1, 1},
		},
	}
	for name, turns := range cases {
		t.Run(name, func(t *testing.T) { play(t, env, task4783, turns) })
	}
}

func TestNegativeAnswer(t *testing.T) {
	env := mustEnv(t, nil)
	task := makeTask(5, '-', 12, "1-2", Easy)
	play(t, env, task, []turn{{"<calc>5-12</calc>", "<r>-7</r>", false, 1, 0, 0}, {"-7", "", true, 0, 1, 1}})
	play(t, env, task, []turn{{"7", "", true, 0, 0, 1}})
}

func TestMaxTurnsOne(t *testing.T) {
	env := mustEnv(t, envs.Params{"max_turns": 1})
	play(t, env, task4783, []turn{{"<calc>47*83</calc>", "", true, 1, 0, 0}})
	play(t, env, task4783, []turn{{"3901", "", true, 0, 1, 1}})
}

func TestToolCallsComponent(t *testing.T) {
	env := mustEnv(t, envs.Params{"tool_calls_component": true})
	ep, _ := env.Reset(task4783)
	ep.Step("<calc>47*83</calc>")
	ep.Step("<calc>47*83+0</calc>")
	res, _ := ep.Step("3901")
	if got := component(t, res.Reward, ComponentToolCalls); got != 2 {
		t.Fatalf("%s = %v, want 2", ComponentToolCalls, got)
	}
	plain := mustEnv(t, nil)
	ep, _ = plain.Reset(task4783)
	res, _ = ep.Step("3901")
	if _, on := rewards.Lookup(res.Reward, ComponentToolCalls); on {
		t.Fatalf("%s emitted although tool_calls_component is off", ComponentToolCalls)
	}
}
