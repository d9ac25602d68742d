package trainers

import (
	"context"
	"time"

	"grit/policy"
	"grit/rl"
)

// sampleOptions are the training-time generation settings.
func (t *trainer) sampleOptions() policy.SampleOptions {
	return policy.SampleOptions{
		MaxNewTokens: t.cfg.MaxNewTokens, Temperature: float32(t.cfg.Temperature),
		TopK: t.cfg.TopK, TopP: float32(t.cfg.TopP),
	}
}

// collectGroups draws prompts, samples num_generations episodes each and turns them into samples
// with toSamples. With dynamic sampling, groups whose rewards are all equal are dropped and fresh
// prompts are drawn (up to max_resample_rounds extra rounds) until prompts_per_step groups remain.
// It returns the kept samples (Group renumbered 0..) and every sampled one (for metrics).
func (t *trainer) collectGroups(ctx context.Context, step int, m Metrics,
	toSamples func([]*Trajectory) []rl.Sample) (kept, all []rl.Sample, err error) {
	cfg := t.cfg
	codec, err := t.prompts()
	if err != nil {
		return nil, nil, err
	}
	p := &player{pol: t.pol, env: t.env, opts: t.sampleOptions(), codec: codec, version: step} // t.pol has completed step steps
	need, groups, dropped := cfg.PromptsPerStep, 0, 0
	var sampleDur, gradeDur time.Duration
	genTokens := 0
	for round := 0; ; round++ {
		rng := streamRNG(cfg.Seed, "data", uint64(step), uint64(round))
		tasks := t.env.Tasks().Train(need, rng)
		trajs, err := t.playRound(ctx, p, tasks, step, round, m)
		if err != nil {
			return nil, nil, err
		}
		t.phase(phaseSampled, step)
		for _, tr := range trajs {
			tr.Group += groups
			genTokens += tr.GeneratedTokens()
		}
		samples := toSamples(trajs)
		all = append(all, samples...)
		if !cfg.DynamicSampling {
			kept = samples
			break
		}
		ok, d := rl.DropZeroVarianceGroups(samples)
		dropped += d
		kept = append(kept, ok...)
		groups += len(tasks)
		have := countGroups(kept)
		if have >= cfg.PromptsPerStep || round >= cfg.MaxResampleRounds {
			break
		}
		need = cfg.PromptsPerStep - have
	}
	if l, ok := t.opts.Rollouts.(PolicyListener); ok && step+1 < cfg.Steps {
		l.StepSampled(ctx, step)
	}
	sampleDur, gradeDur = p.sampleDur, p.gradeDur
	m[keyGroupsDropped] = float64(dropped)
	m[keyGroups] = float64(countGroups(kept))
	m[keySampleS] = sampleDur.Seconds()
	m[keyGradeS] = gradeDur.Seconds()
	m[keyGenTokens] = float64(genTokens)
	if s := sampleDur.Seconds(); s > 0 {
		m[keyGenTokensPerS] = float64(genTokens) / s
	}
	return kept, all, nil
}

// countGroups counts distinct Group values.
func countGroups(samples []rl.Sample) int {
	seen := map[int]bool{}
	for i := range samples {
		seen[samples[i].Group] = true
	}
	return len(seen)
}
