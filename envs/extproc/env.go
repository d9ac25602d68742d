package extproc

import (
	"errors"
	"fmt"
	"io"

	"grit/envs"
	"grit/plugins"
)

func init() {
	envs.Register("plugin", newPluginEnv)
}

// Env is an env whose tasks come from a base env and whose turns a plugin grades. Each Step
// sends the turn's completion (with the earlier turns) to the plugin; the plugin's components
// become the reward, its feedback the next turn's observation, and its done flag (or max turns)
// ends the episode. A failed plugin call ends the episode with failed components.
type Env struct {
	base     envs.Env
	pool     *Pool
	maxTurns int
}

// NewEnv couples base's tasks with a running plugin pool; maxTurns < 1 means base.MaxTurns().
func NewEnv(base envs.Env, pool *Pool, maxTurns int) *Env {
	if maxTurns < 1 {
		maxTurns = max(base.MaxTurns(), 1)
	}
	return &Env{base: base, pool: pool, maxTurns: maxTurns}
}

// newPluginEnv builds the "plugin" env from config params: the pool settings of readConfig and
//
//	base:      arithmetic     the env whose tasks the plugin grades (required)
//	base_args: {digits: 2}    that env's params
//	max_turns: 2              turns per episode (default: the base env's)
func newPluginEnv(p envs.Params) (envs.Env, error) {
	a := plugins.NewArgs(p)
	baseName := a.String("base", "")
	baseArgs := a.Map("base_args")
	maxTurns := a.Int("max_turns", 0)
	if a.Has("max_turns") && maxTurns < 1 {
		a.Failf("max_turns", "must be at least 1, got %d", maxTurns)
	}
	cfg := readConfig(a, p)
	if baseName == "" {
		a.Failf("base", "missing; set it to the env whose tasks the plugin grades, one of %v", envs.Registered())
	}
	if err := a.Done(); err != nil {
		return nil, err
	}
	if baseName == "plugin" {
		return nil, errors.New(`param "base" cannot be "plugin" itself`)
	}
	base, err := envs.New(baseName, envs.Params(baseArgs))
	if err != nil {
		return nil, fmt.Errorf("base env: %w", err)
	}
	pool, err := NewPool(cfg)
	if err != nil {
		closeIfCloser(base)
		return nil, err
	}
	return NewEnv(base, pool, maxTurns), nil
}

// Name is "plugin:" followed by the plugin's name.
func (e *Env) Name() string { return "plugin:" + e.pool.Hello().Name }

// RewardComponents are the components the plugin declared in its handshake.
func (e *Env) RewardComponents() []string { return e.pool.Components() }

// Tasks are the base env's tasks.
func (e *Env) Tasks() envs.TaskSource { return e.base.Tasks() }

// MaxTurns is the most turns an episode lasts.
func (e *Env) MaxTurns() int { return e.maxTurns }

// PluginStats are the pool's counts (envs.PluginReporter).
func (e *Env) PluginStats() envs.PluginStats {
	s := e.pool.Stats()
	return envs.PluginStats{Calls: s.Calls, Failed: s.Failed, Timeouts: s.Timeouts, Restarts: s.Restarts}
}

// SetPluginStderr sends the plugin processes' stderr to w (see Pool.SetStderrLog).
func (e *Env) SetPluginStderr(w io.Writer) { e.pool.SetStderrLog(w) }

// Pool is the plugin pool (for its Stats).
func (e *Env) Pool() *Pool { return e.pool }

// Reset starts an episode on task.
func (e *Env) Reset(task envs.Task) (envs.Episode, error) {
	return &episode{env: e, task: Task{ID: task.ID, Prompt: task.Prompt, Answer: task.Answer, Meta: task.Meta}}, nil
}

// Close stops the plugin processes (and the base env, if it holds resources).
func (e *Env) Close() error {
	err := e.pool.Close()
	return errors.Join(err, closeIfCloser(e.base))
}

func closeIfCloser(v any) error {
	if c, ok := v.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// episode is one task played out against the plugin.
type episode struct {
	env     *Env
	task    Task
	history []PastTurn
	done    bool
}

// Step grades the turn's completion with the plugin.
func (ep *episode) Step(action string) (envs.StepResult, error) {
	if ep.done {
		return envs.StepResult{}, errors.New("episode is over: call Reset for a new one")
	}
	turn := len(ep.history)
	r := ep.env.pool.Grade(Request{Task: ep.task, Completion: action, Turn: turn, History: ep.history})
	ep.history = append(ep.history, PastTurn{Completion: action, Feedback: r.Feedback})
	ep.done = r.Done || r.Err != nil || turn+1 >= ep.env.maxTurns
	out := envs.StepResult{Reward: r.Result, Done: ep.done}
	if !ep.done {
		out.Observation = r.Feedback
	}
	return out, nil
}
