package tool

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"grit/envs"
)

// TestTracesPlayCorrectly plays each trace's completions through the env: the observations must
// match and the episode must end correct and well-formed.
func TestTracesPlayCorrectly(t *testing.T) {
	env := mustEnv(t, envs.Params{"medium_frac": 0.2, "hard_frac": 0.4})
	rng := rand.New(rand.NewPCG(3, 4))
	calls := map[string][2]int{} // difficulty -> {traces with a call, traces}
	for _, task := range append(env.Tasks().Train(3000, rng), env.Tasks().HeldOut()...) {
		trace, err := env.Trace(task, rng)
		if err != nil {
			t.Fatal(err)
		}
		ep, _ := env.Reset(task)
		var res envs.StepResult
		toolCalls := 0
		for i, turn := range trace {
			if res, err = ep.Step(turn.Completion); err != nil {
				t.Fatalf("task %s turn %d: %v", task.ID, i+1, err)
			}
			if res.Observation != turn.Observation || res.Done != (i == len(trace)-1) {
				t.Fatalf("task %s turn %d: env observation %q done %v, trace observation %q",
					task.ID, i+1, res.Observation, res.Done, turn.Observation)
			}
			toolCalls += res.ToolCalls
		}
		if !res.Reward.Correct || component(t, res.Reward, ComponentFormat) != 1 {
			t.Fatalf("task %s: trace %+v does not end correct and well-formed: %+v", task.ID, trace, res.Reward)
		}
		c := calls[task.Meta["difficulty"]]
		c[0] += toolCalls
		c[1]++
		calls[task.Meta["difficulty"]] = c
	}
	if c := calls[Hard]; c[0] != c[1] {
		t.Errorf("hard traces call the tool %d times in %d traces, want every time", c[0], c[1])
	}
	if c := calls[Medium]; c[0] != c[1] {
		t.Errorf("medium traces (p_call_medium 1) call %d times in %d, want every time", c[0], c[1])
	}
	// p_call_easy 0.8 over about 1200 easy traces: a 5-sigma band is about +-0.06.
	if c := calls[Easy]; float64(c[0])/float64(c[1]) < 0.74 || float64(c[0])/float64(c[1]) > 0.86 {
		t.Errorf("easy traces call in %d of %d, want about 0.8", c[0], c[1])
	}
}

func TestTraceDirectAndDeterministic(t *testing.T) {
	never := mustEnv(t, envs.Params{"p_call_easy": 0})
	task := makeTask(4, '+', 5, "1+1", Easy)
	trace, err := never.Trace(task, rand.New(rand.NewPCG(1, 1)))
	want := []envs.TraceTurn{{Completion: "9"}}
	if err != nil || !reflect.DeepEqual(trace, want) {
		t.Fatalf("trace %+v, %v; want %+v", trace, err, want)
	}
	env := mustEnv(t, nil)
	hard := makeTask(47, '*', 83, "2*2", Hard)
	trace, _ = env.Trace(hard, rand.New(rand.NewPCG(1, 1)))
	want = []envs.TraceTurn{{Completion: "<calc>47*83</calc>", Observation: "<r>3901</r>"}, {Completion: "3901"}}
	if !reflect.DeepEqual(trace, want) {
		t.Fatalf("hard trace %+v, want %+v", trace, want)
	}
	var first [][]envs.TraceTurn
	for run := range 2 {
		rng := rand.New(rand.NewPCG(9, 9))
		for i, task := range env.Tasks().Train(200, rng) {
			trace, _ := env.Trace(task, rng)
			if run == 0 {
				first = append(first, trace)
			} else if !reflect.DeepEqual(first[i], trace) {
				t.Fatalf("task %s: traces differ for the same seed", task.ID)
			}
		}
	}
	if _, err := env.Trace(envs.Task{Prompt: "1+1="}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Fatal("a task without ID and answer must be an error")
	}
}
