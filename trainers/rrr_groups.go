package trainers

import (
	"context"

	"grit/rl"
)

// collectFailureGroups is rrr's step with rrr.group attempt, the paper's groups. Round 0 samples
// the G first attempts of each of prompts_per_step prompts (first turns only); round 1 takes, for
// every prompt with a wrong first attempt, the first of them (lowest index) and plays G episodes
// that replay it and sample a reflection and a retry after it. Those G reflections are the
// prompt's group: they share the context (q, y1, reflection prompt), so their baseline compares
// reflections alone. Prompts whose first attempts were all right train nothing. Sampling seeds are
// (seed, step, round, episode, turn), as for collectGroups' rounds.
func (r *rrr) collectFailureGroups(ctx context.Context, step int, m Metrics, st *rrrStats) ([]rl.Sample, error) {
	t, cfg := r.t, r.t.cfg
	codec, err := t.prompts()
	if err != nil {
		return nil, err
	}
	first := &player{pol: t.pol, env: t.env, opts: t.sampleOptions(), codec: codec, maxTurns: 1, version: step}
	tasks := t.env.Tasks().Train(cfg.PromptsPerStep, streamRNG(cfg.Seed, "data", uint64(step), 0))
	attempts, err := first.play(ctx, tasks, cfg.NumGenerations, cfg.Seed, uint64(step)<<8)
	if err != nil {
		return nil, err
	}
	t.phase(phaseSampled, step)
	var specs []episodeSpec
	genTokens := 0
	for g := range tasks {
		failed := -1
		for i := 0; i < cfg.NumGenerations; i++ {
			tr := attempts[g*cfg.NumGenerations+i]
			genTokens += tr.GeneratedTokens()
			right := tr.Turns[0].Reward.Correct
			st.addFirst(right)
			if !right && failed < 0 {
				failed = i
			}
		}
		if failed < 0 {
			continue
		}
		y1 := attempts[g*cfg.NumGenerations+failed].Turns[0].Gen
		for i := 0; i < cfg.NumGenerations; i++ {
			specs = append(specs, episodeSpec{Task: tasks[g], Group: g, Index: i, Episode: uint64(g*cfg.NumGenerations + i), First: &y1})
		}
	}
	retry := &player{pol: t.pol, env: t.env, opts: t.sampleOptions(), codec: codec, version: step}
	var trajs []*Trajectory
	if len(specs) > 0 {
		if trajs, err = retry.playEpisodes(ctx, specs, cfg.Seed, uint64(step)<<8|1); err != nil {
			return nil, err
		}
		t.phase(phaseSampled, step)
	}
	for _, tr := range trajs {
		st.addRetry(t.env, tr)
		genTokens += tr.GeneratedTokens() - len(tr.Turns[0].Gen.Tokens) // the replayed attempt was counted once
	}
	samples := r.samples(step, trajs)
	sampleDur := first.sampleDur + retry.sampleDur
	m[keyGroupsDropped] = 0
	m[keyGroups] = float64(countGroups(samples))
	m[keySampleS] = sampleDur.Seconds()
	m[keyGradeS] = (first.gradeDur + retry.gradeDur).Seconds()
	m[keyGenTokens] = float64(genTokens)
	if s := sampleDur.Seconds(); s > 0 {
		m[keyGenTokensPerS] = float64(genTokens) / s
	}
	return samples, nil
}
