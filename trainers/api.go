package trainers

import (
	"context"
	"errors"
	"io"

	"grit/policy"
)

// ErrInterrupted is returned by Run when its context was cancelled (SIGINT / SIGTERM): the step in
// flight finished, a checkpoint was written, and `train --resume DIR` continues exactly.
var ErrInterrupted = errors.New("run interrupted; checkpoint written")

// ConfigError wraps a mistake in the settings found when the run starts (an env's own params, an
// algorithm / env mismatch): nothing was trained. The command line exits with status 2 on it.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// RunOptions are the per-invocation settings that are not part of the config.
type RunOptions struct {
	OutDir   string           // run folder; created if missing
	Resume   bool             // continue from OutDir/checkpoints/latest
	Log      io.Writer        // plain log lines (nil = discard)
	Progress func(StepReport) // called after every step (progress bar); may be nil
	Rollouts RolloutSource    // plays the steps' prompt groups elsewhere (rollout workers); nil = on this process

	// hook, when set, is called at fixed points of every step (phase* constants) with the step's
	// number and the policy; tests use it to interrupt, snapshot or damage a run at a chosen point
	// deterministically.
	hook func(phase string, step int, pol policy.Policy)
}

// StepReport is what a progress display needs after each step.
type StepReport struct {
	Step, Steps int
	Reward      float64 // mean total reward of the step's rollouts (NaN for sft)
	Loss        float64 // the step's mean loss (NaN when no update ran)
	Accuracy    float64 // fraction of correct rollouts in the step
	EvalAcc     float64 // latest held-out accuracy (NaN before the first eval)
	TokensPerS  float64 // generated tokens per second in this step
	ElapsedS    float64 // since the run (or resume) started
}

// EvalMetrics are held-out evaluation results (greedy unless noted).
type EvalMetrics map[string]float64

// Summary is what summary.json holds: eval metrics of the starting and the final policy.
type Summary struct {
	Base  EvalMetrics `json:"base"`
	Final EvalMetrics `json:"final"`
	// Best is the best held-out accuracy seen at an eval and its step.
	BestAccuracy float64 `json:"best_accuracy"`
	BestStep     int     `json:"best_step"`
	RunDir       string  `json:"run_dir"`
	// DatasetSkippedRows counts the dataset rows skipped as malformed (on_error: skip); absent
	// when the env reads no dataset.
	DatasetSkippedRows *int `json:"dataset_skipped_rows,omitempty"`
	// Steps is the number of steps the run completed; StoppedBy what ended it: "steps" (all of
	// them ran) or the stop rule's key (stop.target, stop.patience, stop.time_budget_s), with
	// StopReason giving the rule's values.
	Steps      int    `json:"steps"`
	StoppedBy  string `json:"stopped_by"`
	StopReason string `json:"stop_reason,omitempty"`
	// ElapsedTotalS is the run's wall time, including the time before any resume.
	ElapsedTotalS float64 `json:"elapsed_total_s"`
}

// Run trains according to cfg, writing the run folder, and returns the summary.
func Run(ctx context.Context, cfg Config, opts RunOptions) (*Summary, error) {
	return run(ctx, cfg, opts)
}

// EvalOptions configure a stand-alone evaluation (`train eval`).
type EvalOptions struct {
	Checkpoint string         // policy folder (a run's checkpoints/latest or a base policy)
	Env        string         // env name
	EnvArgs    map[string]any // env settings
	Tasks      int            // held-out tasks; 0 = all
	PassK      int            // k for pass@k (sampled at temperature 1); 0 = off
	MaxNew     int            // max new tokens per turn
	Seed       uint64
	// ChatTemplate renders prompts through the checkpoint's chat template (as the run's
	// chat_template key does), with SystemPrompt as the system turn when it is not empty.
	ChatTemplate bool
	SystemPrompt string
	// RRR, when set, plays the env's episodes as an rrr run with these settings does (reflect and
	// retry after a wrong first attempt); nil plays the env as it is.
	RRR *RRRConfig
}

// Eval evaluates a checkpoint on an env's held-out split.
func Eval(ctx context.Context, opts EvalOptions) (EvalMetrics, error) {
	return evalCheckpoint(ctx, opts)
}
