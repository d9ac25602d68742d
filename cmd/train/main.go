package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	_ "grit/envs/extproc"    // out-of-process plugins: the "plugin" env and "exec" reward
	_ "grit/envs/tool"       // the "tool" env (calculator tool use)
	_ "grit/plugins/example" // the example in-process plugin (example_parity env, example_short_exact reward)
	"grit/trainers"
)

func main() {
	a := &app{
		stdout: os.Stdout, stderr: os.Stderr, environ: os.Environ(),
		run: trainers.Run, prepare: trainers.Prepare, eval: trainers.Eval, now: time.Now, exit: os.Exit,
	}
	os.Exit(a.execute(os.Args[1:]))
}

// app is one invocation's surroundings; tests replace the trainer calls and the streams.
type app struct {
	stdout, stderr io.Writer
	environ        []string // for GRIT_* config variables
	run            func(context.Context, trainers.Config, trainers.RunOptions) (*trainers.Summary, error)
	prepare        func(trainers.Config) error // every config check, before anything is written
	eval           func(context.Context, trainers.EvalOptions) (trainers.EvalMetrics, error)
	now            func() time.Time
	exit           func(code int) // a second Ctrl-C quits through this
	args           []string       // the command line, for hints in flag errors
}

// Exit codes: 0 done, 1 the run failed, 2 bad command line or config, 130 interrupted (resumable).
const (
	exitRunError    = 1
	exitConfigError = 2
	exitInterrupted = 130
)

// configError marks mistakes in flags or config (exit 2): nothing was started.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

func configErrorf(format string, args ...any) error {
	return configError{fmt.Errorf(format, args...)}
}

// errStopped reports an interrupted run whose resume hint was already printed.
var errStopped = errors.New("stopped before the last step; the run can be resumed (see above)")

func (a *app) execute(args []string) int {
	a.args = args
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintf(a.stderr, "train: %v\n", err)
	var ce configError
	var tce *trainers.ConfigError
	switch {
	case errors.As(err, &ce), errors.As(err, &tce):
		return exitConfigError
	case errors.Is(err, errStopped):
		return exitInterrupted
	}
	return exitRunError
}

func (a *app) rootCommand() *cobra.Command {
	var f runFlags
	root := &cobra.Command{
		Use:   "train",
		Short: "Train a reasoning policy with GRPO, SCoRe, NFT, HDPO or SFT",
		Long: `train runs one training run and writes a run folder (config.yaml, metrics.jsonl, summary.json,
rollouts/, checkpoints/, plots/).

Settings come from, lowest precedence first: built-in defaults (= configs/grpo.yaml) < --config FILE
< GRIT_* environment variables (GRIT_LR, GRIT_SCORE_ALPHA for score.alpha) < --set key=value.`,
		Example: `  train                                   # GRPO on arithmetic from the shipped base policy
  train --config configs/ci/grpo.yaml --set lr=3e-4 --set env_args.digits=3
  train --algo sft --config configs/sft-arithmetic.yaml --out runs/base
  train --dry-run --config configs/ci/grpo.yaml   # print the resolved config
  train --resume runs/grpo-20250101-120000        # continue an interrupted run
  train eval --checkpoint runs/grpo-.../checkpoints/best --env arithmetic`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return configErrorf("unexpected argument %q; settings go in flags (--set key=value), see train --help", args[0])
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.train(cmd, f)
		},
	}
	fl := root.Flags()
	fl.StringVar(&f.algo, "algo", "", "algorithm: "+joinAlgos()+" (overrides the config file's algo)")
	fl.StringVar(&f.config, "config", "", "YAML config file (keys as in configs/grpo.yaml)")
	fl.StringArrayVar(&f.sets, "set", nil, "override one key: --set lr=3e-4 --set env_args.digits=3 (repeatable)")
	fl.StringVar(&f.out, "out", "", "run folder, new or empty (default runs/<algo>-<YYYYMMDD-HHMMSS>, -2, -3 ... when taken)")
	fl.StringVar(&f.resume, "resume", "", "continue the interrupted run in this folder (takes no other flags)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "check the config as a run would (env, init, model, schedule), print it as YAML and exit")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return unknownFlagError(err, a.args) })
	root.AddCommand(a.evalCommand())
	root.AddCommand(a.logprobsCommand())
	root.AddCommand(a.viewCommand())
	root.AddCommand(a.sweepCommand())
	root.AddCommand(a.workerCommand())
	return root
}
