package trainers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/envs"
	"grit/policy"
	"grit/policy/chat"
	"grit/rl/store"
	"grit/tensor"
)

// trainer is the state of one run: the shared loop plus the algorithm that specialises it.
type trainer struct {
	cfg   Config
	opts  RunOptions
	env   envs.Env
	pol   policy.Policy
	ref   policy.Policy // frozen starting policy (KL reference); nil when no algorithm needs it
	opt   *tensor.AdamW
	sched tensor.Schedule
	algo  algorithm
	st    loopState
	tmpl  *chat.Template // the init folder's chat template (chat_template: true), else nil
	codec *promptCodec   // built from pol's tokenizer by prompts(); nil until first used
	dir   string
	log   io.Writer
	start time.Time // when this process started the run (a resume starts afresh)

	elapsedBefore float64 // elapsed_total_s of the checkpoint a resumed run started from; 0 for a fresh run

	finalEval   EvalMetrics      // the last step's eval: the final policy, reused by finish
	lastEval    EvalMetrics      // the newest evaluation in this process
	heldOutNote string           // how prepare resized the held-out split to eval_tasks; "" = it did not
	savedStep   int              // completed steps in the newest checkpoint written or loaded; -1 = none
	pluginStats envs.PluginStats // plugin counts at the end of the previous step
	views       runViews         // TensorBoard, report.html, console completions (views.go)
}

func (t *trainer) logf(format string, args ...any) {
	fmt.Fprintf(t.log, format+"\n", args...)
}

// Points within a step where RunOptions.hook is called.
const (
	phaseSampled = "sampled" // a round of episodes was sampled and graded
	phaseUpdated = "updated" // one optimiser step was applied
	phaseLogged  = "logged"  // the step's metrics line was appended (before any checkpoint)
)

// phase calls the test hook, if any, with the 1-based number of the step in flight.
func (t *trainer) phase(name string, stepIndex int) {
	if t.opts.hook != nil {
		t.opts.hook(name, stepIndex+1, t.pol)
	}
}

func (t *trainer) path(parts ...string) string {
	return filepath.Join(append([]string{t.dir}, parts...)...)
}

// run is Run: it sets the run folder up (or resumes it), then alternates steps, evals and
// checkpoints until cfg.Steps or ctx is cancelled.
func run(ctx context.Context, cfg Config, opts RunOptions) (*Summary, error) {
	if opts.OutDir == "" {
		return nil, fmt.Errorf("no run folder given (RunOptions.OutDir / --out)")
	}
	t, err := prepare(cfg, opts.Resume) // every config check, before the run folder is touched
	if err != nil {
		return nil, err
	}
	if err := checkRolloutSource(cfg, opts); err != nil {
		t.close()
		return nil, err
	}
	defer t.close()
	if cfg.Threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cfg.Threads))
	}
	t.opts, t.dir, t.log, t.start, t.savedStep = opts, opts.OutDir, opts.Log, time.Now(), -1
	if t.log == nil {
		t.log = io.Discard
	}
	t.reportSkippedRows()
	if t.heldOutNote != "" {
		t.logf("%s", t.heldOutNote)
	}
	for _, d := range []string{t.dir, t.path("checkpoints")} { // rollouts/: when a step file is written
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	closePluginLog, err := t.openPluginLog()
	if err != nil {
		return nil, err
	}
	defer closePluginLog()
	if err := t.setup(ctx); err != nil {
		return nil, err
	}
	return t.loop(ctx)
}

// setup loads the starting policy, optimizer and loop state (fresh, or from the latest checkpoint).
func (t *trainer) setup(ctx context.Context) error {
	cfg := t.cfg      // prepare built the env, algorithm, optimizer, schedule and starting policy
	starting := t.pol // the starting policy prepare loaded (on resume: only when a reference is needed)
	var err error
	if t.opts.Resume {
		if t.pol, t.st, err = t.loadResumeCheckpoint(); err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		t.savedStep, t.elapsedBefore = t.st.Step, t.st.ElapsedS
		dropped, err := truncateMetrics(t.path("metrics.jsonl"), t.st.Step)
		if err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		if dropped > 0 {
			t.logf("resume: dropped %d metrics.jsonl line(s) logged after the checkpoint", dropped)
		}
		if t.st.StoppedBy != "" {
			t.logf("%s already ended at step %d: %s (%s); nothing to resume", t.dir, t.st.Step, t.st.StoppedBy, t.st.StopReason)
		} else {
			t.logf("resuming %s after step %d/%d", t.dir, t.st.Step, cfg.Steps)
		}
	} else {
		if err := os.Remove(t.path("metrics.jsonl")); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if t.algo.needsReference() {
		// The reference is the starting policy: on resume the one prepare loaded (the trained
		// policy came from the checkpoint), on a fresh run a second copy of it.
		if t.opts.Resume && starting != nil {
			t.ref = starting
		} else if t.ref, err = initPolicy(cfg); err != nil {
			return fmt.Errorf("reference policy: %w", err)
		}
	}
	if params := policy.CountParams(t.pol); TuneGCForPolicy(params) {
		t.logf("garbage collection at %d%% heap growth for a %d-parameter policy (set GOGC to choose another)",
			LargeModelGCPercent, params)
	}
	if !t.opts.Resume {
		t.logf("run folder %s: %s on env %s, %d steps, policy with %d parameters",
			t.dir, cfg.Algo, t.env.Name(), cfg.Steps, policy.CountParams(t.pol))
		base, err := t.eval(context.WithoutCancel(ctx)) // Ctrl-C here stops before step 1
		if err != nil {
			return fmt.Errorf("evaluating the starting policy: %w", err)
		}
		t.st.Base = base
		t.st.BestAccuracy, t.st.BestStep = accuracyOrZero(base), 0
		t.st.LastEvalAcc, t.st.HaveEval = accuracyOrZero(base), !math.IsNaN(base[evalAccuracy])
		if err := t.seedStopFromBase(base); err != nil {
			return err
		}
		t.logf("base policy: held-out accuracy %.3f on %d tasks", base[evalAccuracy], int(base[evalTasks]))
		t.warnEvalFailed("the base policy's evaluation", base)
		if err := saveCheckpoint(t.path("checkpoints", "best"), t.pol, nil, t.st); err != nil {
			return err
		}
	}
	return nil
}

// newOptimizer is AdamW with the config's settings.
func newOptimizer(cfg Config) *tensor.AdamW {
	return tensor.NewAdamW(float32(cfg.AdamBeta1), float32(cfg.AdamBeta2), float32(cfg.AdamEps), float32(cfg.WeightDecay))
}

// eval evaluates the current policy on the held-out split.
func (t *trainer) eval(ctx context.Context) (EvalMetrics, error) {
	codec, err := t.prompts()
	if err != nil {
		return nil, err
	}
	return evaluate(ctx, t.pol, codec, t.env, heldOut(t.env, t.cfg.EvalTasks), t.cfg.MaxNewTokens, t.cfg.EvalPassK, streamSeed(t.cfg.Seed, "eval"))
}

// loop runs steps until the end or an interrupt. A step always runs to its end, even when ctx is
// cancelled while it is in flight (Ctrl-C): it is logged and checkpointed as done, so a resumed run
// continues with the next step and applies no update twice.
func (t *trainer) loop(ctx context.Context) (*Summary, error) {
	cfg := t.cfg
	if r, ok := envs.AsPluginReporter(t.env); ok {
		t.pluginStats = r.PluginStats() // the base policy's evaluation is not step 0's
	}
	for t.st.Step < cfg.Steps && t.st.StoppedBy == "" {
		if ctx.Err() != nil {
			return nil, t.interrupt()
		}
		step := t.st.Step // 0-based index of the step in flight; it is step number step+1
		stepStart := time.Now()
		m := Metrics{keyStep: float64(step + 1)}
		if err := t.algo.step(context.WithoutCancel(ctx), step, m); err != nil {
			return nil, fmt.Errorf("step %d: %w", step+1, err)
		}
		if l, ok := t.opts.Rollouts.(PolicyListener); ok && step+1 < cfg.Steps {
			l.PolicyReady(ctx, step+1, t.pol)
		}
		t.checkEmptyStep(step, m)
		t.skippedRowMetrics(m)
		m[keyLR] = float64(t.sched.LR(t.st.OptSteps))
		m[keySkippedUpdatesTotal] = float64(t.st.BadTotal)
		last := step+1 == cfg.Steps
		stoppedBy, reason := "", ""
		if r, spent := t.timeBudgetSpent(); spent && !last { // the clock is read once, before the eval
			stoppedBy, reason, last = stoppedByTime, fmt.Sprintf("%s after step %d", r, step+1), true
		}
		evaluated := last || (cfg.EvalEvery > 0 && (step+1)%cfg.EvalEvery == 0)
		if evaluated {
			if err := t.evalStep(ctx, step, last, m); err != nil {
				return nil, err
			}
		}
		if stoppedBy == "" && !last { // a rule that would fire at the last step changes nothing
			rule, why, err := t.checkMetricRules(step+1, evaluated, m)
			if err != nil {
				return nil, err
			}
			if rule != "" {
				stoppedBy, reason, last = rule, why, true
				if !evaluated { // the final policy is evaluated at the step the rule fired
					if err := t.evalStep(ctx, step, true, m); err != nil {
						return nil, err
					}
				} else {
					t.finalEval = t.lastEval
				}
			}
		}
		t.pluginMetrics(step, m)
		m[keyStepS] = time.Since(stepStart).Seconds()
		elapsed := time.Since(t.start).Seconds()
		m[keyElapsedS], m[keyElapsedTotalS] = elapsed, t.elapsedBefore+elapsed
		if err := appendMetrics(t.path("metrics.jsonl"), m); err != nil {
			return nil, err
		}
		t.phase(phaseLogged, step)
		t.st.Step = step + 1
		if stoppedBy != "" {
			t.st.StoppedBy, t.st.StopReason = stoppedBy, reason
			t.logf("stopped by %s: %s", stoppedBy, reason)
		}
		t.afterStep(m)
		if t.st.BadInARow >= cfg.MaxBadSteps {
			return nil, fmt.Errorf("step %d: %d updates in a row had a non-finite loss or gradient (max_bad_steps %d); the run stopped; %s; lower lr or max_grad_norm",
				step+1, t.st.BadInARow, cfg.MaxBadSteps, t.lastGoodCheckpoint())
		}
		if t.st.EmptyInARow >= cfg.MaxEmptySteps {
			_ = t.checkpoint()
			return nil, fmt.Errorf("step %d: every sample was excluded in %d steps in a row (max_empty_steps %d): no reward component could be computed, so nothing was learned; check the env's reward (see reward/<name>_missing in %s)",
				step+1, t.st.EmptyInARow, cfg.MaxEmptySteps, t.path("metrics.jsonl"))
		}
		if last || (cfg.CheckpointEvery > 0 && (step+1)%cfg.CheckpointEvery == 0) {
			if err := t.checkpoint(); err != nil {
				return nil, err
			}
		}
		t.report(m)
	}
	return t.finish(ctx)
}

// evalStep evaluates the policy after step (0-based index), adds eval_* metrics and updates
// checkpoints/best.
func (t *trainer) evalStep(ctx context.Context, step int, last bool, m Metrics) error {
	evalStart := time.Now()
	em, err := t.eval(context.WithoutCancel(ctx))
	if err != nil {
		return fmt.Errorf("step %d: eval: %w", step+1, err)
	}
	for k, v := range em {
		m[evalKey(k)] = v
	}
	t.warnEvalFailed(fmt.Sprintf("step %d: evaluation", step+1), em)
	m[keyEvalS] = time.Since(evalStart).Seconds()
	t.lastEval = em
	if last {
		t.finalEval = em
	}
	if !math.IsNaN(em[evalAccuracy]) { // NaN: no episode could be graded
		t.st.LastEvalAcc, t.st.HaveEval = em[evalAccuracy], true
	}
	if em[evalAccuracy] > t.st.BestAccuracy {
		t.st.BestAccuracy, t.st.BestStep = em[evalAccuracy], step+1
		if err := saveCheckpoint(t.path("checkpoints", "best"), t.pol, nil, t.st); err != nil {
			return err
		}
	}
	return nil
}

// interrupt writes a checkpoint at the current step boundary (every logged step is complete).
func (t *trainer) interrupt() error {
	if err := t.checkpoint(); err != nil {
		return fmt.Errorf("interrupted, and writing the checkpoint failed: %w", err)
	}
	t.logf("interrupted after step %d; resume with: train --resume %s", t.st.Step, t.dir)
	return ErrInterrupted
}

// report sends the step to the progress callback and the log.
func (t *trainer) report(m Metrics) {
	r := StepReport{
		Step: t.st.Step, Steps: t.cfg.Steps, Reward: m[keyRewardMean], Accuracy: m[keyAccuracy],
		EvalAcc: math.NaN(), TokensPerS: m[keyGenTokensPerS], ElapsedS: time.Since(t.start).Seconds(),
	}
	if v, ok := m[keyWorkerTokPerS]; ok && m[keyGenTokensPerS] == 0 { // the workers sampled
		r.TokensPerS = v
	}
	if t.st.HaveEval {
		r.EvalAcc = t.st.LastEvalAcc
	}
	r.Loss = math.NaN()
	if v, ok := m[keyLoss]; ok {
		r.Loss = v
	}
	if t.cfg.Algo == AlgoSFT { // no rollouts: the loss is what moves
		r.Reward, r.Accuracy = math.NaN(), math.NaN()
	}
	if t.opts.Progress != nil {
		t.opts.Progress(r)
		return // the progress display shows the step; the log keeps events only
	}
	line := fmt.Sprintf("step %d/%d reward %.3f acc %.3f", r.Step, r.Steps, r.Reward, r.Accuracy)
	if v, ok := m[evalKey(evalAccuracy)]; ok {
		line += fmt.Sprintf(" eval_acc %.3f", v)
	}
	if v, ok := m[keyLoss]; ok {
		line += fmt.Sprintf(" loss %.4g", v)
	}
	t.logf("%s (%.1fs)", line, m[keyStepS])
}

// finish evaluates the final policy and writes summary.json and the plots.
func (t *trainer) finish(ctx context.Context) (*Summary, error) {
	final := t.finalEval
	if final == nil { // resumed after the last step: evaluate the final policy now
		var err error
		if final, err = t.eval(context.WithoutCancel(ctx)); err != nil {
			return nil, fmt.Errorf("final eval: %w", err)
		}
	}
	s := &Summary{Base: t.st.Base, Final: final, BestAccuracy: t.st.BestAccuracy, BestStep: t.st.BestStep, RunDir: t.dir,
		Steps: t.st.Step, StoppedBy: t.st.StoppedBy, StopReason: t.st.StopReason, ElapsedTotalS: t.elapsedTotal()}
	if s.StoppedBy == "" {
		s.StoppedBy = stoppedBySteps
	}
	if issues, ok := skippedRows(t.env); ok {
		n := len(issues)
		s.DatasetSkippedRows = &n
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(t.path("summary.json"), append(raw, '\n'), 0o644); err != nil {
		return nil, err
	}
	if t.st.Step == 0 { // steps: 0 logs no step: no metrics, rollouts or plots
		return s, nil
	}
	if files, _ := store.StepFiles(t.dir); t.cfg.Rollouts.Parquet && len(files) > 0 { // sft samples nothing
		t.exportRollouts()
	}
	if err := writePlots(t.dir); err != nil {
		t.logf("warning: plots: %v", err)
	}
	t.afterRun()
	return s, nil
}

// exportRollouts merges the step files into rollouts.parquet; a step file that cannot be read is
// left out with a warning naming it.
func (t *trainer) exportRollouts() {
	out := t.path("rollouts.parquet")
	rows, skipped, err := store.ExportParquet(memory.DefaultAllocator, t.dir, out)
	for _, s := range skipped {
		t.logf("warning: rollouts.parquet: left out %s: %v", s.Path, s.Err)
	}
	if err != nil {
		t.logf("warning: rollouts.parquet: %v", err)
		return
	}
	if len(skipped) > 0 {
		t.logf("warning: rollouts.parquet lacks %d step(s) whose files could not be read", len(skipped))
	}
	t.logf("exported %d rollout rows to %s", rows, out)
}
