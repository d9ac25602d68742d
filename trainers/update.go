package trainers

import (
	"context"
	"math"
	"time"

	"grit/policy"
	"grit/rl"
	"grit/rl/store"
	"grit/tensor"
)

// update runs num_iterations epochs of mini-batch updates over the step's rows (one row per graded
// turn), each mini-batch one optimiser step:
//
//	forward (logp, entropy) -> rl.PolicyLoss (loss, dL/dlogp) -> Pass.Backward -> clip -> AdamW
//
// Mini-batches are read from the step's Arrow record; rw scales rows' losses and KL terms.
// A mini-batch whose loss or gradient is not finite is skipped (counted); max_bad_steps in a row
// stops the run (checked by the loop).
func (t *trainer) update(ctx context.Context, step int, ro *store.Rollouts, rw rowWeights, lc rl.LossConfig, m Metrics) error {
	cfg := t.cfg
	start := time.Now()
	all := make([]int, ro.Len())
	for i := range all {
		all[i] = i
	}
	mb, err := ro.MiniBatch(all)
	if err != nil {
		return err
	}
	rw.apply(&mb)
	rows := nonEmptyRows(&mb, rw.loss)
	if len(rows) == 0 {
		m[keyUpdateS] = 0
		return nil
	}
	switch lc.LossType {
	case rl.LossTypeDAPO:
		lc.GenerationTokens = mb.Tokens()
		if lc.GenerationTokens == 0 {
			m[keyUpdateS] = 0
			return nil // every row masked: nothing to learn from this batch
		}
	case rl.LossTypeDrGRPO:
		lc.MaxCompletionLength = cfg.MaxNewTokens
	}
	var acc lossAccumulator
	var mismatch logpMismatch
	async := cfg.Workers.Enabled && cfg.Workers.MaxStaleness > 0
	for it := 0; it < cfg.NumIterations; it++ {
		order := streamRNG(cfg.Seed, "minibatch", uint64(step), uint64(it)).Perm(len(rows))
		for lo := 0; lo < len(order); lo += cfg.MiniBatchSize {
			hi := min(lo+cfg.MiniBatchSize, len(order))
			idx := make([]int, hi-lo)
			for j := range idx {
				idx[j] = rows[order[lo+j]]
			}
			sub, err := ro.MiniBatch(idx)
			if err != nil {
				return err
			}
			rw.apply(&sub)
			if sub.Tokens() == 0 {
				continue
			}
			seqs := make([]policy.Sequence, sub.Len())
			for b := range seqs {
				seqs[b].Prompt, seqs[b].Completion = sub.IntTokens(b)
			}
			pass, err := t.pol.Forward(seqs)
			if err != nil {
				return err
			}
			if !allFinite(pass.LogProbs) || !allFinite(sub.OldLogp) {
				t.skipUpdate()
				t.noteSkipped(step, &acc, "log-probs")
				continue
			}
			if async && it == 0 {
				mismatch.add(pass.LogProbs, sub.OldLogp)
			}
			res, err := rl.PolicyLoss(lc, sub, pass.LogProbs, pass.Entropy)
			if err != nil {
				return err
			}
			t.pol.ZeroGrad()
			if err := pass.Backward(res.DLogp, res.DEntropy); err != nil {
				return err
			}
			norm, ok := t.clippedStep(res.Loss)
			if !ok {
				t.noteSkipped(step, &acc, "loss or gradient")
				continue
			}
			t.phase(phaseUpdated, step)
			acc.add(res, norm)
		}
	}
	acc.write(m)
	mismatch.write(m)
	m[keyUpdateS] = time.Since(start).Seconds()
	return nil // a cancelled ctx never stops a step half-way (see trainer.loop)
}

// noteSkipped records, in the step's loss statistics and the log, an update skipped because its
// numbers were not finite.
func (t *trainer) noteSkipped(step int, acc *lossAccumulator, what string) {
	acc.skipped++
	t.logf("step %d: skipped an update with non-finite %s", step, what)
}

// skipUpdate counts a bad update (max_bad_steps watches BadInARow) and clears its gradients.
func (t *trainer) skipUpdate() {
	t.st.BadInARow++
	t.st.BadTotal++
	t.pol.ZeroGrad()
}

// clippedStep is every algorithm's guarded optimiser step on the gradients just computed: clip
// their global norm to max_grad_norm and take the AdamW step at the schedule's learning rate,
// unless the loss, the norm or any gradient is not finite; then the update is counted as bad,
// its gradients are cleared and no step is taken. It returns the norm before clipping and
// whether the step was taken.
func (t *trainer) clippedStep(loss float64) (norm float64, ok bool) {
	params := t.pol.Params()
	norm = tensor.ClipGradNorm(params, t.cfg.MaxGradNorm)
	if !finite(loss) || !finite(norm) || !tensor.GradsFinite(params) {
		t.skipUpdate()
		return norm, false
	}
	t.st.BadInARow = 0
	t.opt.Step(params, t.sched.LR(t.st.OptSteps))
	t.st.OptSteps++
	return norm, true
}

// allFinite reports whether every value is finite.
func allFinite(v [][]float32) bool {
	for _, row := range v {
		for _, x := range row {
			if !finite(float64(x)) {
				return false
			}
		}
	}
	return true
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// nonEmptyRows lists rows with at least one trained token and a non-zero row weight (rows of
// excluded samples have weight 0 and stay out of the mini-batches, so out of B as well).
func nonEmptyRows(mb *rl.MiniBatch, rowWeights []float64) []int {
	var rows []int
	for b := range mb.OldLogp {
		if len(mb.OldLogp[b]) > 0 && (rowWeights == nil || rowWeights[mb.Rows[b]] != 0) {
			rows = append(rows, b)
		}
	}
	return rows
}

// lossAccumulator averages loss statistics over a step's updates, weighted by loss tokens.
type lossAccumulator struct {
	tokens                           float64
	loss, kl, ent, clipLow, clipHigh float64
	dual, ratio, gradNorm, effLoss   float64
	updates, skipped                 int
}

func (a *lossAccumulator) add(r rl.LossResult, norm float64) {
	w := float64(r.Stats.Tokens)
	a.tokens += w
	a.loss += r.Loss
	a.effLoss += r.Stats.EffLoss
	a.kl += w * r.Stats.MeanKL
	a.ent += w * r.Stats.MeanEntropy
	a.clipLow += w * r.Stats.ClipLowFrac
	a.clipHigh += w * r.Stats.ClipHighFrac
	a.dual += w * r.Stats.DualClipFrac
	a.ratio += w * r.Stats.MeanRatio
	a.gradNorm += norm
	a.updates++
}

func (a *lossAccumulator) write(m Metrics) {
	m[keyUpdates] = float64(a.updates)
	m[keySkippedUpdates] = float64(a.skipped)
	if a.updates == 0 {
		return
	}
	u, w := float64(a.updates), math.Max(a.tokens, 1)
	m[keyLoss] = a.loss / u
	m[keyLossEff] = a.effLoss / u
	m[keyGradNorm] = a.gradNorm / u
	m[keyKL] = a.kl / w
	m[keyEntropy] = a.ent / w
	m[keyClipFracLow] = a.clipLow / w
	m[keyClipFracHigh] = a.clipHigh / w
	m[keyClipFrac] = (a.clipLow + a.clipHigh + a.dual) / w
	m[keyRatioMean] = a.ratio / w
	m[keyLossTokens] = a.tokens
}
