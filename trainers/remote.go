package trainers

import (
	"context"
	"fmt"

	"grit/envs"
	"grit/policy"
	"grit/rl"
)

// Remote rollouts: the hooks a distributed sampler (package distrib) uses to play a step's prompt
// groups somewhere else and hand the learner the same Trajectories its own player would make.
//
// Determinism rests on two facts the code below keeps: episode e of a round is seeded by
// (seed, stepKey, e, turn) alone (playEpisodes), and the policy's sampler is row-independent
// (policy.Policy.Sample: a sequence's sample does not depend on the rest of its batch). So group g
// of a round, played alone as episodes g*copies .. g*copies+copies-1, gives bit for bit what the
// whole batch gives for those rows.

// RoundRequest is one round of a step's sampling: the drawn tasks, copies episodes each.
type RoundRequest struct {
	Step    int // 0-based index of the step in flight
	Round   int // dynamic-sampling round (0 without dynamic_sampling)
	Tasks   []envs.Task
	Copies  int           // num_generations
	Seed    uint64        // the run's seed
	StepKey uint64        // the sampling stream's step id: step<<8 | round
	Policy  policy.Policy // the policy to sample with (the learner's current one)
	Local   GroupPlayFunc // plays one group on the learner itself (the workers.local fallback)
	// Ahead returns round 0 of a later step (0-based): its tasks are a function of (seed, step)
	// alone, so they can be issued before the step runs (asynchronous sampling with
	// workers.max_staleness > 0; synchronous, once the step before has updated the policy). ok is
	// false past the run's last step.
	Ahead func(step int) (req RoundRequest, ok bool)
}

// GroupPlayFunc plays group g of a round and returns its copies trajectories (Index 0..copies-1).
type GroupPlayFunc func(ctx context.Context, group int) ([]*Trajectory, error)

// RolloutSource plays rounds for the learner in place of its own player. PlayRound returns the
// round's trajectories task-major (task i's copies at [i*copies, (i+1)*copies), Group = i), each
// with the PolicyVersion it was sampled with (req.Step, or down to req.Step-workers.max_staleness
// when sampled ahead), and may add its own keys (workers/...) to m.
type RolloutSource interface {
	PlayRound(ctx context.Context, req RoundRequest, m Metrics) ([]*Trajectory, error)
}

// PolicyListener is a RolloutSource that is told when a step's sampling is over (StepSampled:
// every round of step is played, the update comes next), and the policy the next step will
// sample with as soon as the step before has updated it (PolicyReady), so it can ship it to the
// workers while the learner logs, evaluates and checkpoints. The policy must only be read until
// PlayRound is next called.
type PolicyListener interface {
	StepSampled(ctx context.Context, step int)
	PolicyReady(ctx context.Context, nextStep int, pol policy.Policy)
}

// checkRolloutSource refuses workers.enabled without a RolloutSource: a caller that starts no
// learner (a sweep, a library call) would otherwise sample in-process without saying so.
func checkRolloutSource(cfg Config, opts RunOptions) error {
	if cfg.Workers.Enabled && opts.Rollouts == nil {
		return &ConfigError{fmt.Errorf("workers.enabled: true, but nothing started a learner for the workers (only `train` does; sweeps and library calls do not); set workers.enabled: false")}
	}
	return nil
}

// playRound plays one round of the step: on the learner's player, or through opts.Rollouts.
func (t *trainer) playRound(ctx context.Context, p *player, tasks []envs.Task, step, round int, m Metrics) ([]*Trajectory, error) {
	cfg := t.cfg
	stepKey := uint64(step)<<8 | uint64(round)
	if t.opts.Rollouts == nil {
		return p.play(ctx, tasks, cfg.NumGenerations, cfg.Seed, stepKey)
	}
	req := t.roundRequest(p, tasks, step, round)
	req.Ahead = func(later int) (RoundRequest, bool) {
		if later >= cfg.Steps {
			return RoundRequest{}, false
		}
		// the same draw as collectGroups' round 0 of that step
		tasks := t.env.Tasks().Train(cfg.PromptsPerStep, streamRNG(cfg.Seed, "data", uint64(later), 0))
		return t.roundRequest(p, tasks, later, 0), true
	}
	trajs, err := t.opts.Rollouts.PlayRound(ctx, req, m)
	if err != nil {
		return nil, err
	}
	if len(trajs) != len(tasks)*cfg.NumGenerations {
		return nil, fmt.Errorf("remote rollouts: got %d trajectories for %d tasks x %d generations", len(trajs), len(tasks), cfg.NumGenerations)
	}
	for _, tr := range trajs {
		if v := tr.PolicyVersion; v > step || v < step-cfg.Workers.MaxStaleness {
			return nil, fmt.Errorf("remote rollouts: group %d of step %d was sampled with policy version %d; the step takes versions %d..%d (workers.max_staleness %d)",
				tr.Group, step+1, v, max(step-cfg.Workers.MaxStaleness, 0), step, cfg.Workers.MaxStaleness)
		}
	}
	return trajs, nil
}

// roundRequest is round `round` of step `step` playing tasks; its Local plays on p (the learner's
// current policy at the time it plays).
func (t *trainer) roundRequest(p *player, tasks []envs.Task, step, round int) RoundRequest {
	cfg := t.cfg
	stepKey := uint64(step)<<8 | uint64(round)
	req := RoundRequest{Step: step, Round: round, Tasks: tasks, Copies: cfg.NumGenerations, Seed: cfg.Seed,
		StepKey: stepKey, Policy: t.pol}
	req.Local = func(ctx context.Context, group int) ([]*Trajectory, error) {
		return p.playGroup(ctx, tasks[group], group, cfg.NumGenerations, cfg.Seed, stepKey)
	}
	return req
}

// playGroup plays group g of a round alone: the copies episodes that play(tasks, copies, ...)
// numbers g*copies .. g*copies+copies-1, with the same seeds.
func (p *player) playGroup(ctx context.Context, task envs.Task, group, copies int, seed, stepKey uint64) ([]*Trajectory, error) {
	specs := make([]episodeSpec, copies)
	for i := range specs {
		specs[i] = episodeSpec{Task: task, Group: group, Index: i, Episode: uint64(group*copies + i)}
	}
	return p.playEpisodes(ctx, specs, seed, stepKey)
}

// GroupPlayer plays single prompt groups the way a run of cfg does: the same env, prompt codec and
// sampling settings. A rollout worker holds one and swaps its policy per policy version.
type GroupPlayer struct {
	cfg Config
	env envs.Env
	p   *player
}

// NewGroupPlayer builds cfg's env and prompt codec around pol. Close releases the env.
func NewGroupPlayer(cfg Config, pol policy.Policy) (*GroupPlayer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, &ConfigError{err}
	}
	env, err := envs.New(cfg.Env, cfg.EnvArgs)
	if err != nil {
		return nil, &ConfigError{err}
	}
	t := &trainer{cfg: cfg, env: env, pol: pol}
	if t.tmpl, err = loadChatTemplate(cfg); err != nil {
		closeEnv(env)
		return nil, &ConfigError{err}
	}
	codec, err := t.prompts()
	if err != nil {
		closeEnv(env)
		return nil, &ConfigError{err}
	}
	// the worker names the version it sampled with in its result, not in the trajectories
	p := &player{pol: pol, env: env, opts: t.sampleOptions(), codec: codec, version: rl.UnknownPolicyVersion}
	return &GroupPlayer{cfg: cfg, env: env, p: p}, nil
}

// SetPolicy makes later groups sample from pol (same tokenizer as before: the codec is kept).
func (g *GroupPlayer) SetPolicy(pol policy.Policy) { g.p.pol = pol }

// PlayGroup plays group `group` of the round with stream id stepKey (step<<8 | round): copies
// episodes of task, exactly as the single-process run plays them inside the whole round.
func (g *GroupPlayer) PlayGroup(ctx context.Context, task envs.Task, group, copies int, seed, stepKey uint64) ([]*Trajectory, error) {
	return g.p.playGroup(ctx, task, group, copies, seed, stepKey)
}

// PlayGroups plays several groups of one round together, in one sampler call per turn: group
// groups[i] of the round is tasks[i]. Result i is exactly what PlayGroup(tasks[i], groups[i], ...)
// returns, because every episode keeps its own seeds and the sampler's rows are independent.
func (g *GroupPlayer) PlayGroups(ctx context.Context, tasks []envs.Task, groups []int, copies int, seed, stepKey uint64) ([][]*Trajectory, error) {
	if len(tasks) != len(groups) {
		return nil, fmt.Errorf("PlayGroups: %d tasks for %d groups", len(tasks), len(groups))
	}
	specs := make([]episodeSpec, 0, len(tasks)*copies)
	for i, task := range tasks {
		for c := 0; c < copies; c++ {
			specs = append(specs, episodeSpec{Task: task, Group: groups[i], Index: c, Episode: uint64(groups[i]*copies + c)})
		}
	}
	trajs, err := g.p.playEpisodes(ctx, specs, seed, stepKey)
	if err != nil {
		return nil, err
	}
	out := make([][]*Trajectory, len(tasks))
	for i := range out {
		out[i] = trajs[i*copies : (i+1)*copies : (i+1)*copies]
	}
	return out, nil
}

// Durations reports the time spent in the sampler and in the env so far.
func (g *GroupPlayer) Durations() (sample, grade float64) {
	return g.p.sampleDur.Seconds(), g.p.gradeDur.Seconds()
}

// Close releases the env (plugin envs run processes).
func (g *GroupPlayer) Close() { closeEnv(g.env) }
