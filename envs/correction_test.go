package envs

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCorrectionTurnStructure(t *testing.T) {
	env := mustEnv(t, "correction", Params{"base": "arithmetic", "base_args": map[string]any{"digits_max": 2}, "attempts": 3})
	if env.MaxTurns() != 3 || env.Name() != "correction(arithmetic)" {
		t.Fatalf("MaxTurns %d, Name %q", env.MaxTurns(), env.Name())
	}
	task := Task{ID: "12+34", Prompt: "12+34=", Answer: "46", Solution: "46"}
	ep, err := env.Reset(task)
	if err != nil {
		t.Fatal(err)
	}
	wantInstruction := "\n" + SCoReInstruction + "\n"
	steps := []struct {
		completion  string
		correct     bool
		observation string
		done        bool
	}{
		{"45", false, wantInstruction, false},
		{"46", true, wantInstruction, false},
		{"47", false, "", true},
	}
	for i, s := range steps {
		res, err := ep.Step(s.completion)
		if err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
		if res.Reward.Correct != s.correct || res.Observation != s.observation || res.Done != s.done {
			t.Errorf("attempt %d: correct %v obs %q done %v; want %v %q %v", i+1, res.Reward.Correct, res.Observation, res.Done,
				s.correct, s.observation, s.done)
		}
		if c := res.Reward.Components; len(c) != 1 || c[0].Name != "correct" || !c[0].OK {
			t.Errorf("attempt %d: components %+v", i+1, c)
		}
	}
	if _, err := ep.Step("46"); err == nil {
		t.Error("a step after the last attempt should be an error")
	}
	// the context the trainer builds for attempt 2: prompt + attempt 1 + observation
	if ctx := task.Prompt + "45" + wantInstruction; !strings.HasPrefix(ctx, "12+34=45\nThere might be an error") {
		t.Errorf("turn-2 context %q", ctx)
	}
}

func TestCorrectionFeedbackAndShortInstruction(t *testing.T) {
	env := mustEnv(t, "correction", Params{"base": "arithmetic", "instruction": "?", "feedback": true,
		"feedback_correct": " ok", "feedback_incorrect": " no"})
	task := Task{ID: "1+1", Prompt: "1+1=", Answer: "2", Solution: "2"}
	for completion, want := range map[string]string{"3": " no?", "2": " ok?"} {
		ep, _ := env.Reset(task)
		res, err := ep.Step(completion)
		if err != nil || res.Observation != want || res.Done {
			t.Errorf("attempt 1 %q: observation %q done %v err %v; want %q", completion, res.Observation, res.Done, err, want)
		}
		res, err = ep.Step("2")
		if err != nil || res.Observation != "" || !res.Done || !res.Reward.Correct {
			t.Errorf("attempt 2: %+v %v", res, err)
		}
	}
}

func TestCorrectionErrors(t *testing.T) {
	cases := []struct {
		p    Params
		want []string
	}{
		{Params{}, []string{`"base"`, "required", "arithmetic"}},
		{Params{"base": "nosuch"}, []string{"nosuch", "registered: ", "countdown"}},
		{Params{"base": "arithmetic", "attempts": 1}, []string{"attempts", ">= 2"}},
		{Params{"base": "arithmetic", "base_args": map[string]any{"digits": 2}}, []string{`"digits"`, "digits_max"}},
		{Params{"base": "arithmetic", "base_args": "digits=2"}, []string{`"base_args"`, "map"}},
		{Params{"base": "correction"}, []string{"base", "correction itself"}},
		{Params{"base": "arithmetic", "feedback": "yes"}, []string{`"feedback"`, "true or false"}},
	}
	for _, c := range cases {
		_, err := New("correction", c.p)
		if err == nil {
			t.Errorf("%v: expected an error", c.p)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q should mention %q", c.p, err, w)
			}
		}
	}
	base := mustEnv(t, "correction", Params{"base": "arithmetic"})
	if _, err := WithCorrection(base, DefaultCorrectionOptions()); err == nil || !strings.Contains(err.Error(), "single-turn") {
		t.Errorf("wrapping a multi-turn env: %v", err)
	}
}

func TestCorrectionTrace(t *testing.T) {
	env := mustEnv(t, "correction", Params{"base": "arithmetic", "trace_error_rate": 0.5})
	tracer, ok := env.(Tracer)
	if !ok {
		t.Fatal("correction env should implement Tracer")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	wrongFirst := 0
	for _, task := range env.Tasks().Train(200, rand.New(rand.NewPCG(2, 2))) {
		turns, err := tracer.Trace(task, rng)
		if err != nil {
			t.Fatal(err)
		}
		if len(turns) != 2 || turns[1].Completion != task.Solution || turns[1].Observation != "" ||
			turns[0].Observation != DefaultCorrectionOptions().Instruction {
			t.Fatalf("trace %+v for %+v", turns, task)
		}
		if turns[0].Completion != task.Solution {
			wrongFirst++
			if play(t, env, task, turns[0].Completion).Reward.Correct {
				t.Errorf("wrong first attempt %q for %q verifies as correct", turns[0].Completion, task.Prompt)
			}
		}
	}
	if wrongFirst < 70 || wrongFirst > 130 {
		t.Errorf("%d of 200 traces start wrong at rate 0.5", wrongFirst)
	}
}
