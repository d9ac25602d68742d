package example

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"grit/envs"
	"grit/plugins"
	"grit/rewards"
)

func init() {
	envs.Register("example_parity", newParity)
}

// Parity asks whether a number is even or odd, and grades the answer with ShortExact.
type Parity struct {
	tasks  parityTasks
	reward ShortExact
}

// newParity builds the env from the config's env_args:
//
//	max:           1000  numbers are drawn from [0, max)
//	held_out:      50    size of the fixed evaluation split
//	held_out_seed: 7     seed of that split
//	budget, penalty      passed to the example_short_exact reward
func newParity(p envs.Params) (envs.Env, error) {
	a := plugins.NewArgs(p)
	limit := a.Int("max", 1000)
	heldOut := a.Int("held_out", 50)
	seed := a.Int("held_out_seed", 7)
	budget := a.Int("budget", 20)
	penalty := a.Float("penalty", 0.5)
	if limit < 4 {
		a.Failf("max", "must be at least 4, got %d", limit)
	}
	if heldOut < 0 || heldOut > limit/2 {
		a.Failf("held_out", "must be in [0, max/2] so training keeps most numbers, got %d", heldOut)
	}
	if err := a.Done(); err != nil {
		return nil, err
	}
	reward, err := newShortExact(map[string]any{"budget": budget, "penalty": penalty})
	if err != nil {
		return nil, err
	}
	return &Parity{tasks: newParityTasks(limit, heldOut, uint64(seed)), reward: reward.(ShortExact)}, nil
}

// Name is the registered name.
func (*Parity) Name() string { return "example_parity" }

// RewardComponents is the reward's one component.
func (e *Parity) RewardComponents() []string { return []string{e.reward.Name()} }

// Tasks is the task source.
func (e *Parity) Tasks() envs.TaskSource { return e.tasks }

// MaxTurns is 1: the policy answers once.
func (*Parity) MaxTurns() int { return 1 }

// Reset starts a single-turn episode.
func (e *Parity) Reset(task envs.Task) (envs.Episode, error) {
	return &parityEpisode{task: task, reward: e.reward}, nil
}

type parityEpisode struct {
	task   envs.Task
	reward ShortExact
	done   bool
}

// Step grades the one answer and ends the episode.
func (ep *parityEpisode) Step(action string) (envs.StepResult, error) {
	if ep.done {
		return envs.StepResult{}, errors.New("episode is over: call Reset for a new one")
	}
	ep.done = true
	in := rewards.Input{Prompt: ep.task.Prompt, Completion: action, Answer: ep.task.Answer, Meta: ep.task.Meta}
	return envs.StepResult{Reward: rewards.GradeAll([]rewards.Func{ep.reward}, in), Done: true}, nil
}

// parityTasks draws numbers in [0, limit); the held-out numbers are fixed and never drawn for
// training.
type parityTasks struct {
	limit   int
	heldOut []envs.Task
	isHeld  map[int]bool
}

func newParityTasks(limit, heldOut int, seed uint64) parityTasks {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	t := parityTasks{limit: limit, isHeld: map[int]bool{}}
	for len(t.heldOut) < heldOut {
		n := rng.IntN(limit)
		if !t.isHeld[n] {
			t.isHeld[n] = true
			t.heldOut = append(t.heldOut, parityTask(n))
		}
	}
	return t
}

func parityTask(n int) envs.Task {
	answer := "even"
	if n%2 == 1 {
		answer = "odd"
	}
	return envs.Task{
		ID:       "parity-" + strconv.Itoa(n),
		Prompt:   fmt.Sprintf("Is %d even or odd?", n),
		Answer:   answer,
		Solution: answer,
		Meta:     map[string]string{"data_source": "example_parity"},
	}
}

// Train draws n training tasks from rng, skipping held-out numbers.
func (t parityTasks) Train(n int, rng *rand.Rand) []envs.Task {
	out := make([]envs.Task, 0, n)
	for len(out) < n {
		if x := rng.IntN(t.limit); !t.isHeld[x] {
			out = append(out, parityTask(x))
		}
	}
	return out
}

// HeldOut is the fixed evaluation split.
func (t parityTasks) HeldOut() []envs.Task { return t.heldOut }
