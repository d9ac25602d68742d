package envs

import (
	"errors"

	"grit/rewards"
)

// errEpisodeOver is returned by Step after the episode is Done.
var errEpisodeOver = errors.New("episode is over: call Reset for a new one")

// singleTurn is an Episode that grades one completion and is Done.
type singleTurn struct {
	task  Task
	grade func(task Task, completion string) rewards.Result
	done  bool
}

// Step grades the completion.
func (e *singleTurn) Step(action string) (StepResult, error) {
	if e.done {
		return StepResult{}, errEpisodeOver
	}
	e.done = true
	return StepResult{Reward: e.grade(e.task, action), Done: true}, nil
}

// inputFor is the reward Input for a completion of task.
func inputFor(task Task, completion string) rewards.Input {
	return rewards.Input{Prompt: task.Prompt, Completion: completion, Answer: task.Answer, Meta: task.Meta}
}
