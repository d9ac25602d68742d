package envs

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
)

// lastInteger finds the last run of digits in a solution.
var lastInteger = regexp.MustCompile(`\d+`)

// Trace writes a reference self-correction trace for supervised training of a base policy: with
// probability TraceErrorRate the first attempt is the task's Solution with its last number
// changed (and verified wrong by the base env), and every later attempt is the Solution; the
// observations are the ones Step would return. It implements Tracer.
func (c *correction) Trace(task Task, rng *rand.Rand) ([]TraceTurn, error) {
	if task.Solution == "" {
		return nil, fmt.Errorf("task %q has no Solution to trace", task.ID)
	}
	first := task.Solution
	if rng.Float64() < c.opts.TraceErrorRate {
		first = c.wrongAttempt(task, rng)
	}
	ep, err := c.Reset(task)
	if err != nil {
		return nil, err
	}
	turns := make([]TraceTurn, 0, c.opts.Attempts)
	for attempt := 1; attempt <= c.opts.Attempts; attempt++ {
		completion := task.Solution
		if attempt == 1 {
			completion = first
		}
		res, err := ep.Step(completion)
		if err != nil {
			return nil, err
		}
		turns = append(turns, TraceTurn{Completion: completion, Observation: res.Observation})
	}
	return turns, nil
}

// wrongAttempt changes the last number of the Solution by 1..9 until the base env grades it
// wrong; when no such change is found it returns the Solution itself.
func (c *correction) wrongAttempt(task Task, rng *rand.Rand) string {
	loc := lastInteger.FindAllStringIndex(task.Solution, -1)
	if loc == nil {
		return task.Solution
	}
	span := loc[len(loc)-1]
	n, err := strconv.ParseInt(task.Solution[span[0]:span[1]], 10, 64)
	if err != nil {
		return task.Solution
	}
	for range 10 {
		delta := 1 + rng.Int64N(9)
		if n-delta >= 0 && rng.IntN(2) == 0 {
			delta = -delta
		}
		wrong := task.Solution[:span[0]] + strconv.FormatInt(n+delta, 10) + task.Solution[span[1]:]
		ep, err := c.base.Reset(task)
		if err != nil {
			return task.Solution
		}
		if res, err := ep.Step(wrong); err == nil && !res.Reward.Correct {
			return wrong
		}
	}
	return task.Solution
}
