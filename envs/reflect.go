package envs

import (
	"fmt"
	"io"
)

// DefaultReflectionPrompt asks for a short self-reflection after a wrong first attempt (Reflect,
// Retry, Reward; Bensal et al. 2025). The prompt itself says the attempt failed.
const DefaultReflectionPrompt = "\nYour answer is wrong. In a few words, reflect on what went wrong:\n"

// ReflectRetryOptions set the turn structure of a reflect-and-retry episode.
type ReflectRetryOptions struct {
	// Reflection is the observation after a wrong first attempt that asks for a self-reflection;
	// "" leaves the reflection turn out, so the retry follows at once (retry without reflection).
	Reflection string
	// ReflectionTokens bounds the reflection turn's generated tokens (0 = the caller's limit).
	ReflectionTokens int
}

// reflectRetry plays an episode of a correction env's base task as Reflect, Retry, Reward does:
//
//	turn 1  attempt 1, graded; right -> the episode ends
//	turn 2  (Reflection != "") the self-reflection, not graded; its context is prompt + attempt 1
//	        + (the correction env's feedback) + Reflection
//	turn 3  the retry, graded; its context adds the reflection and the correction env's instruction
//
// Without a reflection, turn 2 is the retry (context: prompt + attempt 1 + feedback + instruction).
type reflectRetry struct {
	c    *correction
	opts ReflectRetryOptions
}

// ReflectRetry turns a two-attempt correction env into a reflect-and-retry env with the same
// tasks, verifier and correction instruction (the text before the retry). Any other env is an
// error that says what to use.
func ReflectRetry(env Env, opts ReflectRetryOptions) (Env, error) {
	c, ok := env.(*correction)
	if !ok {
		return nil, fmt.Errorf("env %s is not a correction env; use env correction (e.g. env_args: {base: arithmetic, attempts: 2}): its base env gives the tasks and its instruction precedes the retry", env.Name())
	}
	if c.opts.Attempts != 2 {
		return nil, fmt.Errorf("env_args.attempts: %d; reflect-and-retry episodes have one first attempt and one retry, so use attempts: 2", c.opts.Attempts)
	}
	if opts.ReflectionTokens < 0 {
		return nil, fmt.Errorf("reflection tokens: %d must be >= 0", opts.ReflectionTokens)
	}
	return &reflectRetry{c: c, opts: opts}, nil
}

// Name is "reflect_retry(<base>)", or "retry(<base>)" without a reflection turn.
func (r *reflectRetry) Name() string {
	if !r.reflects() {
		return "retry(" + r.c.base.Name() + ")"
	}
	return "reflect_retry(" + r.c.base.Name() + ")"
}

func (r *reflectRetry) reflects() bool { return r.opts.Reflection != "" }

// MaxTurns is 3 with a reflection turn, else 2.
func (r *reflectRetry) MaxTurns() int {
	if r.reflects() {
		return 3
	}
	return 2
}

// Attempts is 2: the first attempt and the retry (MultiAttempt); the reflection is not one.
func (r *reflectRetry) Attempts() int { return 2 }

// ReflectionTurn reports whether turn (0-based) is the ungraded self-reflection (ReflectionTurns).
func (r *reflectRetry) ReflectionTurn(turn int) bool { return r.reflects() && turn == 1 }

// TurnMaxTokens is the reflection's token budget at its turn, 0 (the caller's limit) elsewhere
// (TurnTokenLimits).
func (r *reflectRetry) TurnMaxTokens(turn int) int {
	if r.ReflectionTurn(turn) {
		return r.opts.ReflectionTokens
	}
	return 0
}

// Tasks, RewardComponents and the plugin and load reports are the correction env's.
func (r *reflectRetry) Tasks() TaskSource           { return r.c.Tasks() }
func (r *reflectRetry) RewardComponents() []string  { return r.c.RewardComponents() }
func (r *reflectRetry) PluginStats() PluginStats    { return r.c.PluginStats() }
func (r *reflectRetry) SetPluginStderr(w io.Writer) { r.c.SetPluginStderr(w) }
func (r *reflectRetry) Skipped() []LoadIssue        { return r.c.Skipped() }

// Reset starts an episode (checking the task with the base env).
func (r *reflectRetry) Reset(task Task) (Episode, error) {
	if _, err := r.c.base.Reset(task); err != nil {
		return nil, err
	}
	return &reflectRetryEpisode{env: r, task: task}, nil
}

type reflectRetryEpisode struct {
	env  *reflectRetry
	task Task
	turn int // turns taken so far
	done bool
}

// Step grades an attempt, or takes the reflection (no reward components, not Done).
func (e *reflectRetryEpisode) Step(action string) (StepResult, error) {
	if e.done {
		return StepResult{}, errEpisodeOver
	}
	turn := e.turn
	e.turn++
	opts := e.env.c.opts
	if e.env.ReflectionTurn(turn) {
		return StepResult{Observation: opts.Instruction}, nil
	}
	ep, err := e.env.c.base.Reset(e.task)
	if err != nil {
		return StepResult{}, err
	}
	res, err := ep.Step(action)
	if err != nil {
		return StepResult{}, fmt.Errorf("turn %d: %w", turn+1, err)
	}
	res.Observation = ""
	if turn > 0 || res.Reward.Correct {
		res.Done, e.done = true, true // a retry, or a right first attempt: nothing more to do
		return res, nil
	}
	res.Done = false
	if opts.Feedback {
		res.Observation = opts.FeedbackIncorrect
	}
	if e.env.reflects() {
		res.Observation += e.env.opts.Reflection
	} else {
		res.Observation += opts.Instruction
	}
	return res, nil
}
