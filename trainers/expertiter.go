package trainers

import (
	"context"
	"fmt"
	"time"

	"grit/envs"
	"grit/policy"
	"grit/rl"
	"grit/tensor"
)

// expertIter is expert iteration: the policy samples solutions, a verifier keeps the good ones and
// the policy is fine-tuned on them with the SFT loss. STaR (Zelikman et al. 2022), ReST-EM (Singh
// et al. 2023) and online rejection-sampling fine-tuning are instances; B-STaR (Zeng et al. 2024)
// adds the exploration / exploitation monitors and picks each iteration's temperature by them.
// One step of the loop is one iteration:
//
//  1. probe (auto_temperature only): sample probe_prompts prompts at every temperature T of the
//     grid (and read every threshold tau of the threshold grid); pick the (T, tau) with the
//     highest balance score, ties to the lowest T, then the highest tau          (chooseSetting)
//  2. sample: per prompt x, K = num_generations solutions y_1..y_K at temperature T (sampleAt)
//  3. select: D = {(x, y) : y correct}  (select: correct)
//     or       {(x, y) : r(x, y) >= tau} (select: reward); truncated y are left out
//     with mask_truncated; B-STaR's monitors of the batch are logged           (measureExpert)
//  4. fine-tune: restart base sets theta <- theta_0 (the starting policy) and a fresh optimizer
//     (ReST-EM); continue keeps theta. Then epochs passes over D in mini-batches of
//     mini_batch_size sequences, each one AdamW step on
//     L = -(1/N) sum_b sum_t log pi_theta(y_bt | x_b, y_b<t)   (N: target tokens of the batch)  (fineTune)
type expertIter struct {
	t            *trainer
	temperatures []float64 // the probe's temperature grid
	thresholds   []float64 // the probe's threshold grid (select: reward), else [threshold]
}

func newExpertIter(t *trainer) (*expertIter, error) {
	temps, err := t.cfg.ExpertIter.temperatureGrid()
	if err != nil {
		return nil, err
	}
	ths, err := t.cfg.ExpertIter.thresholdGrid()
	if err != nil {
		return nil, err
	}
	return &expertIter{t: t, temperatures: temps, thresholds: ths}, nil
}

// needsReference: restart base fine-tunes the starting policy anew each iteration, so a frozen copy
// of it is kept (on resume, the one prepare loaded from init).
func (e *expertIter) needsReference() bool { return e.t.cfg.ExpertIter.Restart == ExpertBase }

// totalOptSteps is an upper bound (every sample selected): steps * epochs * ceil(P K / mini_batch_size).
func (e *expertIter) totalOptSteps() int {
	cfg := e.t.cfg
	rows := cfg.PromptsPerStep * cfg.NumGenerations
	return max(1, cfg.Steps*cfg.ExpertIter.Epochs*((rows+cfg.MiniBatchSize-1)/cfg.MiniBatchSize))
}

func (e *expertIter) step(ctx context.Context, step int, m Metrics) error {
	t := e.t
	cfg := t.cfg
	temp, threshold := cfg.Temperature, cfg.ExpertIter.Threshold
	if cfg.ExpertIter.AutoTemperature { // 1. probe
		var err error
		if temp, threshold, err = e.chooseSetting(ctx, step, m); err != nil {
			return err
		}
	}
	m[keyTemperature] = temp
	if cfg.ExpertIter.Select == SelectReward {
		m[keySelectThreshold] = threshold
	}
	tasks := t.env.Tasks().Train(cfg.PromptsPerStep, streamRNG(cfg.Seed, "data", uint64(step), 0))
	batch, err := e.sampleAt(ctx, step, tasks, temp, cfg.Seed, uint64(step)<<8) // 2. sample (the streams grpo's step uses)
	if err != nil {
		return err
	}
	t.phase(phaseSampled, step)
	samples := batch.samples(t, step)
	batch.write(m)
	rolloutMetrics(samples, m)
	keep := e.keeper(threshold) // 3. select
	measureExpert(samples, keep, cfg.ExpertIter.BalanceNStar).write(m)
	var seqs []policy.Sequence
	for i := range samples {
		if keep(&samples[i]) {
			for _, tu := range samples[i].Turns {
				seqs = append(seqs, policy.Sequence{Prompt: tu.Context, Completion: tu.Tokens})
			}
		}
	}
	ro, err := t.storeRollouts(step, samples)
	if err != nil {
		return err
	}
	ro.Release()
	return e.fineTune(step, seqs, m) // 4. fine-tune
}

// keeper is the selection rule with reward threshold tau: graded, not truncated when
// mask_truncated is on, and correct (select: correct) or with reward >= tau (select: reward).
func (e *expertIter) keeper(tau float64) func(*rl.Sample) bool {
	cfg := e.t.cfg
	return func(s *rl.Sample) bool {
		if !s.RewardOK || (cfg.MaskTruncated && s.Truncated) {
			return false
		}
		if cfg.ExpertIter.Select == SelectReward {
			return s.Reward >= tau
		}
		return s.Correct
	}
}

// sampledBatch is what sampleAt played, with its timing.
type sampledBatch struct {
	trajs               []*Trajectory
	sampleDur, gradeDur time.Duration
}

// sampleAt plays num_generations episodes of every task at temperature temp with the policy of
// (0-based) step `step`; episode e's sampling at turn k is seeded by (seed, stream, e, k) alone
// (player.play).
func (e *expertIter) sampleAt(ctx context.Context, step int, tasks []envs.Task, temp float64, seed, stream uint64) (sampledBatch, error) {
	t := e.t
	codec, err := t.prompts()
	if err != nil {
		return sampledBatch{}, err
	}
	opts := t.sampleOptions()
	opts.Temperature = float32(temp)
	p := &player{pol: t.pol, env: t.env, opts: opts, codec: codec, version: step}
	trajs, err := p.play(ctx, tasks, t.cfg.NumGenerations, seed, stream)
	if err != nil {
		return sampledBatch{}, err
	}
	return sampledBatch{trajs: trajs, sampleDur: p.sampleDur, gradeDur: p.gradeDur}, nil
}

// samples turns the batch into graded samples, one per episode.
func (b sampledBatch) samples(t *trainer, step int) []rl.Sample {
	return t.trajectorySamples(step)(b.trajs)
}

// write logs the sampling keys every RL step logs (collectGroups' set).
func (b sampledBatch) write(m Metrics) {
	tokens := 0
	for _, tr := range b.trajs {
		tokens += tr.GeneratedTokens()
	}
	m[keyGroups] = float64(countGroupsOf(b.trajs))
	m[keySampleS] = b.sampleDur.Seconds()
	m[keyGradeS] = b.gradeDur.Seconds()
	m[keyGenTokens] = float64(tokens)
	if s := b.sampleDur.Seconds(); s > 0 {
		m[keyGenTokensPerS] = float64(tokens) / s
	}
}

// countGroupsOf counts the distinct prompts (groups) of trajectories.
func countGroupsOf(trajs []*Trajectory) int {
	seen := map[int]bool{}
	for _, tr := range trajs {
		seen[tr.Group] = true
	}
	return len(seen)
}

// fineTune is step 4: restart, then epochs passes of SFT mini-batch updates over seqs.
func (e *expertIter) fineTune(step int, seqs []policy.Sequence, m Metrics) error {
	t := e.t
	cfg := t.cfg
	start := time.Now()
	if cfg.ExpertIter.Restart == ExpertBase {
		if err := copyWeights(t.pol, t.ref); err != nil {
			return fmt.Errorf("expert_iter.restart base: %w", err)
		}
		t.opt = newOptimizer(cfg)
	}
	m[keySequences] = float64(len(seqs))
	var loss, norm float64
	updates, skipped := 0, 0
	for epoch := 0; epoch < cfg.ExpertIter.Epochs && len(seqs) > 0; epoch++ {
		order := streamRNG(cfg.Seed, "expert_iter-minibatch", uint64(step), uint64(epoch)).Perm(len(seqs))
		for lo := 0; lo < len(order); lo += cfg.MiniBatchSize {
			batch := make([]policy.Sequence, 0, cfg.MiniBatchSize)
			for _, i := range order[lo:min(lo+cfg.MiniBatchSize, len(order))] {
				batch = append(batch, seqs[i])
			}
			l, backward, err := policy.CrossEntropy(t.pol, batch)
			if err != nil {
				return err
			}
			t.pol.ZeroGrad()
			if err := backward(); err != nil {
				return err
			}
			n, ok := t.clippedStep(float64(l))
			if !ok {
				skipped++
				t.logf("step %d: skipped an update with non-finite loss or gradient", step+1)
				continue
			}
			t.phase(phaseUpdated, step)
			loss += float64(l)
			norm += n
			updates++
		}
	}
	m[keyUpdates] = float64(updates)
	m[keySkippedUpdates] = float64(skipped)
	if updates > 0 {
		m[keyLoss] = loss / float64(updates)
		m[keyGradNorm] = norm / float64(updates)
	}
	m[keyUpdateS] = time.Since(start).Seconds()
	return nil
}

// copyWeights sets every parameter of dst to the value of src's parameter of the same name.
func copyWeights(dst, src policy.Policy) error {
	if src == nil {
		return fmt.Errorf("no starting policy to restart from")
	}
	from := map[string]*tensor.Param{}
	for _, p := range src.Params() {
		from[p.Name] = p
	}
	for _, p := range dst.Params() {
		s, ok := from[p.Name]
		if !ok || len(s.Value.Data) != len(p.Value.Data) {
			return fmt.Errorf("parameter %q of the policy has no counterpart of the same size in the starting policy", p.Name)
		}
		copy(p.Value.Data, s.Value.Data)
	}
	return nil
}
