package example

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"grit/envs"
	"grit/rewards"
)

func TestShortExactByHand(t *testing.T) {
	f, err := rewards.New("example_short_exact", map[string]any{"budget": 4, "penalty": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		completion, answer string
		want               float64
	}{
		{"odd", "odd", 1},
		{"It is Odd.", "odd", 1},                          // 3 words, within budget; case and punctuation ignored
		{"one two three four five six odd", "odd", 0.625}, // 7 words: over = 3/4, r = 1 - 0.5*0.75
		{strings.Repeat("w ", 20) + "odd", "odd", 0.5},    // far over budget: the penalty is capped
		{"odd or even", "odd", 0},                         // the last word counts
		{"", "odd", 0},
	}
	for _, c := range cases {
		got, err := f.Grade(rewards.Input{Completion: c.completion, Answer: c.answer})
		if err != nil || got != c.want {
			t.Errorf("%q: got %v, %v; want %v", c.completion, got, err, c.want)
		}
	}
	if res := rewards.GradeAll([]rewards.Func{f}, rewards.Input{Completion: "odd", Answer: "odd"}); !res.Correct {
		t.Error("a right answer must set Result.Correct (ShortExact is a rewards.Judge)")
	}
}

func TestParamsAreChecked(t *testing.T) {
	for _, c := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"penalty": 1.0}, `"penalty"`},
		{map[string]any{"budget": 0}, `"budget"`},
		{map[string]any{"budjet": 3}, `unknown param "budjet"`},
	} {
		if _, err := rewards.New("example_short_exact", c.params); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v; want it to mention %s", c.params, err, c.want)
		}
	}
	if _, err := envs.New("example_parity", envs.Params{"held_out": 600}); err == nil || !strings.Contains(err.Error(), `"held_out"`) {
		t.Errorf("held_out larger than max/2: err = %v", err)
	}
}

func TestParityEnv(t *testing.T) {
	e, err := envs.New("example_parity", envs.Params{"max": 100, "held_out": 10})
	if err != nil {
		t.Fatal(err)
	}
	held := e.Tasks().HeldOut()
	if len(held) != 10 {
		t.Fatalf("held out: %d tasks", len(held))
	}
	heldIDs := map[string]bool{}
	for _, task := range held {
		heldIDs[task.ID] = true
	}
	train := e.Tasks().Train(200, rand.New(rand.NewPCG(1, 2)))
	for _, task := range train {
		if heldIDs[task.ID] {
			t.Fatalf("training drew held-out task %s", task.ID)
		}
	}
	again := e.Tasks().Train(200, rand.New(rand.NewPCG(1, 2)))
	if !slices.EqualFunc(train, again, func(a, b envs.Task) bool { return a.ID == b.ID }) {
		t.Error("the same seed must draw the same tasks")
	}

	for _, task := range held {
		ep, err := e.Reset(task)
		if err != nil {
			t.Fatal(err)
		}
		// An independent check of the answer: parse the number back out of the prompt.
		var n int
		if _, err := fmt.Sscanf(task.Prompt, "Is %d even or odd?", &n); err != nil {
			t.Fatalf("prompt %q: %v", task.Prompt, err)
		}
		right := map[bool]string{true: "even", false: "odd"}[n%2 == 0]
		r, err := ep.Step("the answer is " + right)
		if err != nil || !r.Done || !r.Reward.Correct || r.Reward.Components[0].Value != 1 {
			t.Errorf("%q answered %q: %+v, %v", task.Prompt, right, r, err)
		}
		if _, err := ep.Step("again"); err == nil {
			t.Error("Step after Done must fail")
		}
	}
}
