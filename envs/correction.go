package envs

import (
	"fmt"
	"io"

	"grit/plugins"
)

// SCoReInstruction is the correction instruction of SCoRe (Kumar et al. 2024) for math. It does
// not say whether the previous attempt was right.
const SCoReInstruction = "There might be an error in the solution above because of lack of understanding of the question. " +
	"Please correct the error, if any, and rewrite the solution."

// CorrectionOptions set the turn structure of WithCorrection.
type CorrectionOptions struct {
	Attempts    int    // attempts per episode, >= 2 (2, as in SCoRe)
	Instruction string // observation after every attempt but the last ("\n" + SCoReInstruction + "\n")
	// Feedback puts the verdict of the previous attempt before the instruction ("reflect and
	// retry"); the texts below are used verbatim.
	Feedback          bool
	FeedbackCorrect   string // ("\nYour answer is correct.")
	FeedbackIncorrect string // ("\nYour answer is incorrect.")
	// TraceErrorRate is the share of reference traces (Trace, for supervised base policies)
	// whose first attempt is wrong and then corrected (0.5).
	TraceErrorRate float64
}

// DefaultCorrectionOptions are SCoRe's: two attempts, its instruction, no feedback.
func DefaultCorrectionOptions() CorrectionOptions {
	return CorrectionOptions{
		Attempts:          2,
		Instruction:       "\n" + SCoReInstruction + "\n",
		FeedbackCorrect:   "\nYour answer is correct.",
		FeedbackIncorrect: "\nYour answer is incorrect.",
		TraceErrorRate:    0.5,
	}
}

// correction is the multi-turn wrapper.
type correction struct {
	base Env
	opts CorrectionOptions
}

// WithCorrection turns a single-turn env into a k-attempt one. Every Step grades that attempt
// with the base env and returns its Result; after attempts 1..k-1 the Observation is the
// (optional feedback and) instruction, and the trainer's next context is previous context +
// previous completion + observation; attempt k is Done.
func WithCorrection(base Env, opts CorrectionOptions) (Env, error) {
	if base == nil {
		return nil, fmt.Errorf("correction: no base env")
	}
	if base.MaxTurns() != 1 {
		return nil, fmt.Errorf("correction: base env %q has %d turns; only single-turn envs can be wrapped", base.Name(), base.MaxTurns())
	}
	if opts.Attempts < 2 {
		return nil, fmt.Errorf("correction: attempts must be >= 2, got %d", opts.Attempts)
	}
	return &correction{base: base, opts: opts}, nil
}

func newCorrection(p Params) (Env, error) {
	a := plugins.NewArgs(p)
	def := DefaultCorrectionOptions()
	baseName := a.String("base", "")
	baseArgs := a.Map("base_args")
	opts := CorrectionOptions{
		Attempts:          a.Int("attempts", def.Attempts),
		Instruction:       a.String("instruction", def.Instruction),
		Feedback:          a.Bool("feedback", false),
		FeedbackCorrect:   a.String("feedback_correct", def.FeedbackCorrect),
		FeedbackIncorrect: a.String("feedback_incorrect", def.FeedbackIncorrect),
		TraceErrorRate:    a.Float("trace_error_rate", def.TraceErrorRate),
	}
	if opts.TraceErrorRate < 0 || opts.TraceErrorRate > 1 {
		a.Failf("trace_error_rate", "must be in [0, 1], got %v", opts.TraceErrorRate)
	}
	if baseName == "" {
		a.Failf("base", "is required: the name of the single-turn env to wrap (registered: %v)", Registered())
	}
	if baseName == "correction" {
		a.Failf("base", "cannot be correction itself")
	}
	if err := a.Done(); err != nil {
		return nil, err
	}
	base, err := New(baseName, baseArgs)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	return WithCorrection(base, opts)
}

// Name is "correction(<base>)".
func (c *correction) Name() string { return "correction(" + c.base.Name() + ")" }

// RewardComponents are the base env's (nil when it does not say).
func (c *correction) RewardComponents() []string {
	names, _ := RewardComponents(c.base)
	return names
}

// Tasks are the base env's.
func (c *correction) Tasks() TaskSource { return c.base.Tasks() }

// MaxTurns is the number of attempts.
func (c *correction) MaxTurns() int { return c.opts.Attempts }

// PluginStats forwards the base env's plugin counts (zero when it has no plugin).
func (c *correction) PluginStats() PluginStats {
	if r, ok := c.base.(PluginReporter); ok {
		return r.PluginStats()
	}
	return PluginStats{}
}

// SetPluginStderr forwards to the base env, if a plugin grades it.
func (c *correction) SetPluginStderr(w io.Writer) {
	if r, ok := c.base.(PluginReporter); ok {
		r.SetPluginStderr(w)
	}
}

// Skipped forwards the base env's load issues, if it has any.
func (c *correction) Skipped() []LoadIssue {
	if r, ok := c.base.(IssueReporter); ok {
		return r.Skipped()
	}
	return nil
}

// Reset starts an episode (checking the task with the base env).
func (c *correction) Reset(task Task) (Episode, error) {
	if _, err := c.base.Reset(task); err != nil {
		return nil, err
	}
	return &correctionEpisode{env: c, task: task}, nil
}

type correctionEpisode struct {
	env     *correction
	task    Task
	attempt int // attempts made so far
}

// Step grades one attempt.
func (e *correctionEpisode) Step(action string) (StepResult, error) {
	if e.attempt >= e.env.opts.Attempts {
		return StepResult{}, errEpisodeOver
	}
	e.attempt++
	ep, err := e.env.base.Reset(e.task)
	if err != nil {
		return StepResult{}, err
	}
	res, err := ep.Step(action)
	if err != nil {
		return StepResult{}, fmt.Errorf("attempt %d: %w", e.attempt, err)
	}
	res.Done = e.attempt == e.env.opts.Attempts
	res.Observation = ""
	if !res.Done {
		if e.env.opts.Feedback {
			if res.Reward.Correct {
				res.Observation = e.env.opts.FeedbackCorrect
			} else {
				res.Observation = e.env.opts.FeedbackIncorrect
			}
		}
		res.Observation += e.env.opts.Instruction
	}
	return res, nil
}

// Attempts is the number of attempts per episode (envs.MultiAttempt).
func (c *correction) Attempts() int { return c.opts.Attempts }
