package extproc

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"grit/plugins"
	"grit/rewards"
)

func init() {
	rewards.Register("exec", newExecReward)
}

// Reward is a rewards.Func backed by a plugin pool: Grade returns one of the plugin's components,
// Result all of them. Close stops the plugin processes.
type Reward struct {
	name      string
	component string
	pool      *Pool
}

// NewReward wraps pool as a reward called name that returns the plugin's component (both default
// to the plugin's first declared component).
func NewReward(pool *Pool, name, component string) (*Reward, error) {
	comps := pool.Components()
	if component == "" {
		component = comps[0]
	}
	if !slices.Contains(comps, component) {
		return nil, fmt.Errorf("plugin %q has no component %q; it declares: %s", pool.Hello().Name, component, strings.Join(comps, ", "))
	}
	if name == "" {
		name = component
	}
	return &Reward{name: name, component: component, pool: pool}, nil
}

// newExecReward builds the "exec" reward from config params: the pool settings of readConfig and
//
//	component:  correct   which declared component Grade returns (default: the first)
//	name:       my_reward the reward's name in results (default: the component's name)
//	correct_at: 1         if set, a value >= correct_at marks the answer correct (rewards.Judge)
func newExecReward(params map[string]any) (rewards.Func, error) {
	a := plugins.NewArgs(params)
	cfg := readConfig(a, params)
	component := a.String("component", "")
	name := a.String("name", "")
	judged := a.Has("correct_at")
	threshold := a.Float("correct_at", 1)
	if err := a.Done(); err != nil {
		return nil, err
	}
	pool, err := NewPool(cfg)
	if err != nil {
		return nil, err
	}
	r, err := NewReward(pool, name, component)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if judged {
		return &JudgedReward{Reward: r, CorrectAt: threshold}, nil
	}
	return r, nil
}

// Name is the reward's name.
func (r *Reward) Name() string { return r.name }

// Grade sends the completion to the plugin and returns the chosen component; a failed component
// or call is an error whose text says what happened.
func (r *Reward) Grade(in rewards.Input) (float64, error) {
	res := r.Result(in)
	c, ok := rewards.Lookup(res, r.component)
	if !ok {
		return 0, fmt.Errorf("plugin returned no component %q", r.component)
	}
	if !c.OK {
		return 0, errors.New(c.Err)
	}
	return c.Value, nil
}

// Result sends the completion to the plugin and returns every component it declared, with its
// verdict.
func (r *Reward) Result(in rewards.Input) rewards.Result {
	return r.pool.Grade(requestFor(in)).Result
}

// Pool is the plugin pool behind the reward (for its Stats).
func (r *Reward) Pool() *Pool { return r.pool }

// Close stops the plugin processes.
func (r *Reward) Close() error { return r.pool.Close() }

// JudgedReward is a Reward whose value is a verdict: Correct(v) is v >= CorrectAt.
type JudgedReward struct {
	*Reward
	CorrectAt float64
}

// Correct implements rewards.Judge.
func (r *JudgedReward) Correct(value float64) bool { return value >= r.CorrectAt }

// requestFor is the plugin request for a single-turn reward input. The task id comes from
// Meta["id"] when present.
func requestFor(in rewards.Input) Request {
	return Request{
		Task:       Task{ID: in.Meta["id"], Prompt: in.Prompt, Answer: in.Answer, Meta: in.Meta},
		Completion: in.Completion,
	}
}
