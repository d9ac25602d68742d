package tool

import (
	"grit/envs"
	"grit/rewards"
)

// Reward component names. The trainer should weigh ComponentCorrect and ComponentFormat
// (HDPO's r_acc, e.g. 0.9 and 0.1) and give ComponentToolCalls, when enabled, weight 0.
const (
	ComponentCorrect   = "correct"
	ComponentFormat    = "format"
	ComponentToolCalls = "metric_tool_calls"
)

// Env is the tool-use env "tool": arithmetic tasks of mixed difficulty that the policy answers
// directly or after calling a calculator.
type Env struct {
	cfg   Config
	tasks *source
}

// New builds the env from cfg (see DefaultConfig).
func New(cfg Config) (*Env, error) {
	levels, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	return &Env{cfg: cfg, tasks: newSource(levels, cfg.Split)}, nil
}

// Name is "tool".
func (e *Env) Name() string { return "tool" }

// RewardComponents are correct and format, and metric_tool_calls with tool_calls_component.
func (e *Env) RewardComponents() []string {
	names := []string{ComponentCorrect, ComponentFormat}
	if e.cfg.ToolCallsComponent {
		names = append(names, ComponentToolCalls)
	}
	return names
}

// Tasks is the seeded generator with its held-out split.
func (e *Env) Tasks() envs.TaskSource { return e.tasks }

// MaxTurns is the max_turns param.
func (e *Env) MaxTurns() int { return e.cfg.MaxTurns }

// Reset starts an episode of task.
func (e *Env) Reset(task envs.Task) (envs.Episode, error) {
	return &episode{task: task, maxTurns: e.cfg.MaxTurns, reportCalls: e.cfg.ToolCallsComponent}, nil
}

// verifier grades a final answer: correct is 1 when the last number in the text equals the
// reference exactly (as a rational), 0 otherwise.
var verifier = rewards.Correctness{Label: ComponentCorrect, Extract: rewards.ExtractLastNumber}
