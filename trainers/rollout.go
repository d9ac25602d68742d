package trainers

import (
	"context"
	"fmt"
	"time"

	"grit/envs"
	"grit/policy"
	"grit/rewards"
)

// EpisodeTurn is one turn of an episode: what the policy generated and what the env made of it.
type EpisodeTurn struct {
	Context     []int             // tokens the policy saw before generating (the encoded prompt, earlier turns)
	Gen         policy.Generation // generated tokens, their sampling log-probs, EOS / truncation
	Reward      rewards.Result    // the env's verdict on this turn
	Observation string            // what the env appended after this turn (feedback, tool output)
	ToolCalls   int
}

// Trajectory is one episode: a task played out over one or more turns.
type Trajectory struct {
	Task  envs.Task
	Group int // which prompt of the step (group index)
	Index int // position within the group
	Turns []EpisodeTurn
	// PolicyVersion is the version of the policy that played every turn: the number of training
	// steps it had completed (the policy of 0-based step s is version s). rl.UnknownPolicyVersion
	// on a rollout worker, which reports the version in its result instead.
	PolicyVersion int
}

// Last is the final turn.
func (t *Trajectory) Last() *EpisodeTurn { return &t.Turns[len(t.Turns)-1] }

// ToolCalls sums tool calls over turns.
func (t *Trajectory) ToolCalls() int {
	n := 0
	for _, tu := range t.Turns {
		n += tu.ToolCalls
	}
	return n
}

// GeneratedTokens counts tokens the policy generated over all turns.
func (t *Trajectory) GeneratedTokens() int {
	n := 0
	for _, tu := range t.Turns {
		n += len(tu.Gen.Tokens)
	}
	return n
}

// Truncated reports whether any turn ended without EOS (cut at max_new_tokens or the context).
func (t *Trajectory) Truncated() bool {
	for _, tu := range t.Turns {
		if !tu.Gen.Finished {
			return true
		}
	}
	return false
}

// player plays episodes of an env with a policy, batching generation across episodes turn by turn.
type player struct {
	pol      policy.Policy
	env      envs.Env
	opts     policy.SampleOptions
	maxTurns int          // cap on turns (<= env.MaxTurns())
	codec    *promptCodec // prompts and completion text; nil: the tokenizer's plain codec
	version  int          // pol's version (completed training steps), given to every trajectory

	sampleDur, gradeDur time.Duration // time spent in the sampler and in the env, accumulated
}

// prompts is the player's codec, the plain one of the policy's tokenizer when none was set.
func (p *player) prompts() (*promptCodec, error) {
	if p.codec == nil {
		c, err := newPromptCodec(p.pol.Tokenizer())
		if err != nil {
			return nil, err
		}
		p.codec = c
	}
	return p.codec, nil
}

// play runs copies episodes of every task; seeds are derived from (seed, step, episode, turn) so each
// episode's randomness is its own. Episodes are returned task-major: task i's copies are
// [i*copies, (i+1)*copies).
func (p *player) play(ctx context.Context, tasks []envs.Task, copies int, seed, step uint64) ([]*Trajectory, error) {
	specs := make([]episodeSpec, len(tasks)*copies)
	for i := range specs {
		specs[i] = episodeSpec{Task: tasks[i/copies], Group: i / copies, Index: i % copies, Episode: uint64(i)}
	}
	return p.playEpisodes(ctx, specs, seed, step)
}

// episodeSpec is one episode to play: its task, its place in the step (group and index), and the
// episode number that seeds its sampling.
type episodeSpec struct {
	Task         envs.Task
	Group, Index int
	Episode      uint64
	// First, when set, is the episode's first turn, replayed instead of sampled (its tokens and
	// sampling log-probs as an earlier episode generated them): rrr samples several continuations
	// of one failed first attempt.
	First *policy.Generation
}

// playEpisodes plays the given episodes together, turn by turn; episode e's sampling at turn k is
// seeded by (seed, step, e.Episode, k) alone, so a subset played on its own samples the same.
func (p *player) playEpisodes(ctx context.Context, specs []episodeSpec, seed, step uint64) ([]*Trajectory, error) {
	codec, err := p.prompts()
	if err != nil {
		return nil, err
	}
	n := len(specs)
	trajs := make([]*Trajectory, n)
	episodes := make([]envs.Episode, n)
	contexts := make([]conversation, n)
	for i, sp := range specs {
		ep, err := p.env.Reset(sp.Task)
		if err != nil {
			return nil, fmt.Errorf("env %s: reset task %q: %w", p.env.Name(), sp.Task.ID, err)
		}
		episodes[i] = ep
		trajs[i] = &Trajectory{Task: sp.Task, Group: sp.Group, Index: sp.Index, PolicyVersion: p.version}
		if contexts[i], err = codec.start(sp.Task.Prompt); err != nil {
			return nil, fmt.Errorf("env %s: task %q: %w", p.env.Name(), sp.Task.ID, err)
		}
	}
	active := make([]int, n)
	for i := range active {
		active[i] = i
	}
	maxTurns := p.maxTurns
	if maxTurns <= 0 || maxTurns > p.env.MaxTurns() {
		maxTurns = p.env.MaxTurns()
	}
	for turn := 0; turn < maxTurns && len(active) > 0; turn++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		gens, err := p.generate(contexts, specs, active, turn, seed, step)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		next := active[:0:0]
		for j, i := range active {
			g := gens[j]
			res, err := episodes[i].Step(g.Text)
			if err != nil {
				return nil, fmt.Errorf("env %s: step task %q turn %d: %w", p.env.Name(), trajs[i].Task.ID, turn+1, err)
			}
			trajs[i].Turns = append(trajs[i].Turns, EpisodeTurn{
				Context: contexts[i].ids, Gen: g, Reward: res.Reward,
				Observation: res.Observation, ToolCalls: res.ToolCalls,
			})
			if res.Done || turn+1 == maxTurns {
				continue
			}
			conv, err := codec.extend(contexts[i], g.Tokens, g.Text, res.Observation)
			if err != nil {
				return nil, fmt.Errorf("env %s: task %q turn %d: %w", p.env.Name(), trajs[i].Task.ID, turn+1, err)
			}
			if len(conv.ids) >= p.pol.ContextLen() {
				continue // no room for another turn: the episode ends here
			}
			contexts[i] = conv
			next = append(next, i)
		}
		p.gradeDur += time.Since(t0)
		active = next
	}
	return trajs, nil
}

// generate is turn's generation of every active episode: sampled (seeded by seed, step, the
// episode and the turn; finished by the codec), or the episode's replayed First at turn 0.
func (p *player) generate(contexts []conversation, specs []episodeSpec, active []int, turn int, seed, step uint64) ([]policy.Generation, error) {
	gens := make([]policy.Generation, len(active))
	var prompts [][]int
	var seeds []uint64
	var sampled []int // positions in active that are sampled
	for j, i := range active {
		if turn == 0 && specs[i].First != nil {
			gens[j] = *specs[i].First
			continue
		}
		prompts = append(prompts, contexts[i].ids)
		seeds = append(seeds, streamSeed(seed, "sample", step, specs[i].Episode, uint64(turn)))
		sampled = append(sampled, j)
	}
	if len(sampled) == 0 {
		return gens, nil
	}
	opts := p.opts // an env may give a turn its own budget (a reflection's max tokens)
	opts.MaxNewTokens = envs.TurnMaxTokens(p.env, turn, opts.MaxNewTokens)
	codec, err := p.prompts()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	out, err := p.pol.Sample(prompts, seeds, opts)
	p.sampleDur += time.Since(t0)
	if err != nil {
		return nil, fmt.Errorf("sampling turn %d: %w", turn+1, err)
	}
	for k, j := range sampled {
		gens[j] = codec.finish(out[k])
	}
	return gens, nil
}
