package tool

import (
	"fmt"
	"math/rand/v2"

	"grit/envs"
)

var _ envs.Tracer = (*Env)(nil)

// Trace writes the reference trace of a base policy that over-uses the calculator: on a hard task
// it always calls the tool with the task's expression and then answers; on an easy (medium) task
// it does so with probability p_call_easy (p_call_medium), and otherwise answers directly. The
// observation is computed by the same calculator the episode uses, so playing the completions
// through Reset/Step reproduces the observations and ends correct.
//
//	call:   [{Completion: "<calc>47*83</calc>", Observation: "<r>3901</r>"}, {Completion: "3901"}]
//	direct: [{Completion: "3901"}]
func (e *Env) Trace(task envs.Task, rng *rand.Rand) ([]envs.TraceTurn, error) {
	if task.ID == "" || task.Answer == "" {
		return nil, fmt.Errorf("tool trace: task %q has no ID (its expression) or no answer; use tasks from this env's Tasks()", task.ID)
	}
	p := 1.0
	switch task.Meta["difficulty"] {
	case Easy:
		p = e.cfg.PCallEasy
	case Medium:
		p = e.cfg.PCallMedium
	}
	answer := envs.TraceTurn{Completion: task.Answer}
	// Draw even when p is 0 or 1, so that one task's draw never shifts with the config.
	if rng.Float64() >= p || e.cfg.MaxTurns < 2 {
		return []envs.TraceTurn{answer}, nil
	}
	call := Call(task.ID)
	obs := RunCall(call)
	if obs != Observation(task.Answer) {
		return nil, fmt.Errorf("tool trace: task %q: the calculator gives %s but the answer is %q", task.ID, obs, task.Answer)
	}
	return []envs.TraceTurn{{Completion: call, Observation: obs}, answer}, nil
}
