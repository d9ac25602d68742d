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
	"grit/rl"
	"grit/tensor"
)

// trainer is the state of one run: the shared loop plus the algorithm that specialises it.
type trainer struct {
	cfg   Config
	opts  RunOptions
	env   envs.Env
	pol   *policy.GPT
	ref   *policy.GPT // frozen starting policy (KL reference); nil when no algorithm needs it
	opt   *tensor.AdamW
	sched tensor.Schedule
	algo  algorithm
	st    loopState
	dir   string
	log   io.Writer
	start time.Time

	finalEval EvalMetrics // the last step's eval: the final policy, reused by finish
	views     runViews    // TensorBoard, report.html, console completions (views.go)
}

func (t *trainer) logf(format string, args ...any) {
	fmt.Fprintf(t.log, format+"\n", args...)
}

func (t *trainer) path(parts ...string) string {
	return filepath.Join(append([]string{t.dir}, parts...)...)
}

// run is Run: it sets the run folder up (or resumes it), then alternates steps, evals and
// checkpoints until cfg.Steps or ctx is cancelled.
func run(ctx context.Context, cfg Config, opts RunOptions) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, &ConfigError{err}
	}
	if cfg.Threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cfg.Threads))
	}
	if opts.OutDir == "" {
		return nil, fmt.Errorf("no run folder given (RunOptions.OutDir / --out)")
	}
	t := &trainer{cfg: cfg, opts: opts, dir: opts.OutDir, log: opts.Log, start: time.Now()}
	if t.log == nil {
		t.log = io.Discard
	}
	var err error
	if t.env, err = envs.New(cfg.Env, cfg.EnvArgs); err != nil {
		return nil, &ConfigError{err}
	}
	if c, ok := t.env.(io.Closer); ok {
		defer c.Close() // plugin envs hold processes
	}
	if t.algo, err = newAlgorithm(t); err != nil {
		return nil, &ConfigError{err}
	}
	for _, d := range []string{t.dir, t.path("rollouts"), t.path("checkpoints")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := t.setup(ctx); err != nil {
		return nil, err
	}
	return t.loop(ctx)
}

// setup loads the starting policy, optimizer and loop state (fresh, or from the latest checkpoint).
func (t *trainer) setup(ctx context.Context) error {
	cfg := t.cfg
	t.opt = tensor.NewAdamW(float32(cfg.AdamBeta1), float32(cfg.AdamBeta2), float32(cfg.AdamEps), float32(cfg.WeightDecay))
	t.sched = tensor.Schedule{Kind: cfg.LRSchedule, Base: float32(cfg.LR), Min: float32(cfg.MinLR),
		Warmup: cfg.WarmupSteps, Total: t.algo.totalOptSteps()}
	if err := t.sched.Validate(); err != nil {
		return fmt.Errorf("lr_schedule: %w", err)
	}
	var err error
	if t.opts.Resume {
		if t.pol, t.st, err = loadCheckpoint(t.path("checkpoints", "latest"), t.opt); err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		if err := truncateMetrics(t.path("metrics.jsonl"), t.st.Step); err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		t.logf("resuming %s at step %d/%d", t.dir, t.st.Step, cfg.Steps)
	} else {
		if t.pol, err = initPolicy(cfg); err != nil {
			return err
		}
		if err := os.Remove(t.path("metrics.jsonl")); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if t.algo.needsReference() {
		// The reference is the starting policy, rebuilt from the config (also on resume).
		if t.ref, err = initPolicy(cfg); err != nil {
			return fmt.Errorf("reference policy: %w", err)
		}
	}
	if !t.opts.Resume {
		t.logf("run folder %s: %s on env %s, %d steps, policy with %d parameters",
			t.dir, cfg.Algo, t.env.Name(), cfg.Steps, t.pol.NumParams())
		base, err := t.eval(ctx)
		if err != nil {
			return fmt.Errorf("evaluating the starting policy: %w", err)
		}
		t.st.Base = base
		t.st.BestAccuracy, t.st.BestStep = base["accuracy"], 0
		t.st.LastEvalAcc, t.st.HaveEval = base["accuracy"], true
		t.logf("base policy: held-out accuracy %.3f on %d tasks", base["accuracy"], int(base["tasks"]))
		if err := saveCheckpoint(t.path("checkpoints", "best"), t.pol, nil, t.st); err != nil {
			return err
		}
	}
	return nil
}

// eval evaluates the current policy on the held-out split.
func (t *trainer) eval(ctx context.Context) (EvalMetrics, error) {
	return evaluate(ctx, t.pol, t.env, heldOut(t.env, t.cfg.EvalTasks), t.cfg.MaxNewTokens, t.cfg.EvalPassK, streamSeed(t.cfg.Seed, "eval"))
}

// loop runs steps until the end or an interrupt.
func (t *trainer) loop(ctx context.Context) (*Summary, error) {
	cfg := t.cfg
	for t.st.Step < cfg.Steps {
		step := t.st.Step
		stepStart := time.Now()
		m := Metrics{"step": float64(step)}
		if err := t.algo.step(ctx, step, m); err != nil {
			if ctx.Err() != nil {
				return nil, t.interrupt()
			}
			return nil, fmt.Errorf("step %d: %w", step, err)
		}
		m["lr"] = float64(t.sched.LR(t.st.OptSteps))
		m["skipped_updates_total"] = float64(t.st.BadTotal)
		last := step+1 == cfg.Steps
		if last || (cfg.EvalEvery > 0 && (step+1)%cfg.EvalEvery == 0) {
			evalStart := time.Now()
			em, err := t.eval(context.WithoutCancel(ctx))
			if err != nil {
				return nil, fmt.Errorf("step %d: eval: %w", step, err)
			}
			for k, v := range em {
				m["eval_"+k] = v
			}
			m["eval_s"] = time.Since(evalStart).Seconds()
			if last {
				t.finalEval = em
			}
			t.st.LastEvalAcc, t.st.HaveEval = em["accuracy"], true
			if em["accuracy"] > t.st.BestAccuracy {
				t.st.BestAccuracy, t.st.BestStep = em["accuracy"], step+1
				if err := saveCheckpoint(t.path("checkpoints", "best"), t.pol, nil, t.st); err != nil {
					return nil, err
				}
			}
		}
		m["step_s"] = time.Since(stepStart).Seconds()
		if err := appendMetrics(t.path("metrics.jsonl"), m); err != nil {
			return nil, err
		}
		t.st.Step = step + 1
		t.afterStep(m)
		if t.st.BadInARow >= cfg.MaxBadSteps {
			_ = t.checkpoint()
			return nil, fmt.Errorf("step %d: %d updates in a row had a non-finite loss or gradient (max_bad_steps %d); the run stopped, the last good parameters are in %s; lower lr or max_grad_norm",
				step, t.st.BadInARow, cfg.MaxBadSteps, t.path("checkpoints", "latest"))
		}
		if last || (cfg.CheckpointEvery > 0 && (step+1)%cfg.CheckpointEvery == 0) {
			if err := t.checkpoint(); err != nil {
				return nil, err
			}
		}
		t.report(m)
		if !last && ctx.Err() != nil {
			return nil, t.interrupt()
		}
	}
	return t.finish(ctx)
}

// interrupt writes a checkpoint at the current step boundary.
func (t *trainer) interrupt() error {
	if err := t.checkpoint(); err != nil {
		return fmt.Errorf("interrupted, and writing the checkpoint failed: %w", err)
	}
	t.logf("interrupted at step %d; resume with: train --resume %s", t.st.Step, t.dir)
	return ErrInterrupted
}

func (t *trainer) checkpoint() error {
	return saveCheckpoint(t.path("checkpoints", "latest"), t.pol, t.opt, t.st)
}

// report sends the step to the progress callback and the log.
func (t *trainer) report(m Metrics) {
	r := StepReport{
		Step: t.st.Step, Steps: t.cfg.Steps, Reward: m["reward_mean"], Accuracy: m["accuracy"],
		EvalAcc: math.NaN(), TokensPerS: m["gen_tokens_per_s"], ElapsedS: time.Since(t.start).Seconds(),
	}
	if t.st.HaveEval {
		r.EvalAcc = t.st.LastEvalAcc
	}
	r.Loss = math.NaN()
	if v, ok := m["loss"]; ok {
		r.Loss = v
	}
	if t.cfg.Algo == "sft" { // no rollouts: the loss is what moves
		r.Reward, r.Accuracy = math.NaN(), math.NaN()
	}
	if t.opts.Progress != nil {
		t.opts.Progress(r)
		return // the progress display shows the step; the log keeps events only
	}
	line := fmt.Sprintf("step %d/%d reward %.3f acc %.3f", r.Step, r.Steps, r.Reward, r.Accuracy)
	if v, ok := m["eval_accuracy"]; ok {
		line += fmt.Sprintf(" eval_acc %.3f", v)
	}
	if v, ok := m["loss"]; ok {
		line += fmt.Sprintf(" loss %.4g", v)
	}
	t.logf("%s (%.1fs)", line, m["step_s"])
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
	s := &Summary{Base: t.st.Base, Final: final, BestAccuracy: t.st.BestAccuracy, BestStep: t.st.BestStep, RunDir: t.dir}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(t.path("summary.json"), append(raw, '\n'), 0o644); err != nil {
		return nil, err
	}
	if t.cfg.Algo != "sft" { // sft samples nothing
		if rows, err := rl.ExportParquet(memory.DefaultAllocator, t.dir, t.path("rollouts.parquet")); err != nil {
			t.logf("warning: rollouts.parquet: %v", err)
		} else {
			t.logf("exported %d rollout rows to %s", rows, t.path("rollouts.parquet"))
		}
	}
	if err := writePlots(t.dir); err != nil {
		t.logf("warning: plots: %v", err)
	}
	t.afterRun()
	return s, nil
}
