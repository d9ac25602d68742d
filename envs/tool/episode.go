package tool

import (
	"errors"

	"grit/envs"
	"grit/rewards"
)

// errEpisodeOver is returned by Step after the episode is Done.
var errEpisodeOver = errors.New("tool episode is over: call Reset for a new one")

// episode plays one task: calls get calculator observations until the policy answers or the
// turns run out.
type episode struct {
	task        envs.Task
	maxTurns    int
	reportCalls bool
	turns       int
	calls       int
	done        bool
}

// Step takes one turn. A turn that IsCall gets the calculator's observation and ToolCalls 1; the
// episode goes on unless it was the last allowed turn, which then ends incorrect. Any other turn
// is the answer and ends the episode. Every turn carries a reward: a call turn gets correct 0
// and format 0 (the answer is not given yet), so a trainer that cuts an episode short (context
// full) sees an incorrect episode.
func (e *episode) Step(action string) (envs.StepResult, error) {
	if e.done {
		return envs.StepResult{}, errEpisodeOver
	}
	e.turns++
	if IsCall(action) {
		e.calls++
		e.done = e.turns >= e.maxTurns
		res := envs.StepResult{Reward: e.unanswered(), Done: e.done, ToolCalls: 1}
		if !e.done {
			res.Observation = RunCall(action)
		}
		return res, nil
	}
	e.done = true
	return envs.StepResult{Reward: e.answered(action), Done: true}, nil
}

// answered grades a final answer.
func (e *episode) answered(text string) rewards.Result {
	in := rewards.Input{Prompt: e.task.Prompt, Completion: text, Answer: e.task.Answer, Meta: e.task.Meta}
	res := rewards.GradeAll([]rewards.Func{verifier}, in)
	format := 0.0
	if IsBareAnswer(text) {
		format = 1
	}
	res.Components = append(res.Components, rewards.Component{Name: ComponentFormat, Value: format, OK: true})
	return e.withCalls(res)
}

// unanswered is the reward of a turn without an answer.
func (e *episode) unanswered() rewards.Result {
	return e.withCalls(rewards.Result{Components: []rewards.Component{
		{Name: ComponentCorrect, Value: 0, OK: true},
		{Name: ComponentFormat, Value: 0, OK: true},
	}})
}

func (e *episode) withCalls(r rewards.Result) rewards.Result {
	if e.reportCalls {
		r.Components = append(r.Components, rewards.Component{Name: ComponentToolCalls, Value: float64(e.calls), OK: true})
	}
	return r
}
