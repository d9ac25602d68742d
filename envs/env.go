package envs

import (
	"math/rand/v2"

	"grit/rewards"
)

// Task is one problem instance.
type Task struct {
	ID       string
	Prompt   string            // text shown to the policy for the first turn
	Answer   string            // reference answer for the verifier
	Solution string            // a reference completion in the env's output format (for SFT); may be empty
	Meta     map[string]string // difficulty, data_source, ...
}

// TaskSource yields tasks with a fixed train / held-out split.
type TaskSource interface {
	// Train draws n training tasks; all randomness comes from rng.
	Train(n int, rng *rand.Rand) []Task
	// HeldOut is the fixed evaluation split (never drawn by Train).
	HeldOut() []Task
}

// StepResult is the env's answer to one turn of the policy.
type StepResult struct {
	Reward      rewards.Result
	Observation string // text appended to the context before the next turn (feedback, tool output, instruction)
	Done        bool
	ToolCalls   int // tool calls made in this turn
}

// Episode is one task being played out, possibly over several turns.
type Episode interface {
	// Step takes the policy's text for the current turn.
	Step(action string) (StepResult, error)
}

// Env couples a task source with a verifier and a turn structure.
type Env interface {
	Name() string
	Tasks() TaskSource
	MaxTurns() int
	Reset(task Task) (Episode, error)
}
