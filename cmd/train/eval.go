package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"grit/trainers"
	"grit/trainers/configfile"
)

// evalFlags are `train eval`'s flags.
type evalFlags struct {
	checkpoint, env string
	sets            []string
	tasks, passK    int
	maxNew          int
	seed            uint64
}

func (a *app) evalCommand() *cobra.Command {
	def := trainers.Defaults()
	f := evalFlags{maxNew: def.MaxNewTokens, seed: def.Seed}
	cmd := &cobra.Command{
		Use:   "eval --checkpoint DIR --env NAME",
		Short: "Evaluate a checkpoint on an env's held-out split (greedy accuracy, pass@k, mean length)",
		Example: `  train eval --checkpoint configs/base/arithmetic --env arithmetic
  train eval --checkpoint runs/grpo-20250101-120000/checkpoints/best --env arithmetic --tasks 200 --pass-k 8`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return configErrorf("eval: unexpected argument %q; use --checkpoint DIR --env NAME", args[0])
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return a.runEval(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.checkpoint, "checkpoint", "", "policy folder: a run's checkpoints/latest or best, or a base policy (required)")
	fl.StringVar(&f.env, "env", "", "registered env name, e.g. arithmetic (required)")
	fl.StringArrayVar(&f.sets, "set", nil, "env setting: --set env_args.digits=3 (repeatable; only env_args.* keys)")
	fl.IntVar(&f.tasks, "tasks", 0, "held-out tasks to use; 0 = the whole split")
	fl.IntVar(&f.passK, "pass-k", 0, "also report pass@k from k samples at temperature 1; 0 = off")
	fl.IntVar(&f.maxNew, "max-new-tokens", f.maxNew, "max new tokens per turn")
	fl.Uint64Var(&f.seed, "seed", f.seed, "seed for pass@k sampling and task order")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return configError{err} })
	return cmd
}

func (a *app) runEval(cmd *cobra.Command, f evalFlags) error {
	opts, err := evalOptions(f)
	if err != nil {
		return err
	}
	m, err := a.eval(cmd.Context(), opts)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(a.stdout, "%s on %s (held-out):\n", f.checkpoint, f.env)
	for _, k := range keys {
		fmt.Fprintf(a.stdout, "  %-20s %.4g\n", k, m[k])
	}
	return nil
}

// evalOptions checks the flags (every mistake is a config error, exit 2) and builds the options.
func evalOptions(f evalFlags) (trainers.EvalOptions, error) {
	switch {
	case f.checkpoint == "":
		return trainers.EvalOptions{}, configErrorf("eval: --checkpoint DIR is required (a run's checkpoints/latest or best, or a base policy such as configs/base/arithmetic)")
	case f.env == "":
		return trainers.EvalOptions{}, configErrorf("eval: --env NAME is required (e.g. --env arithmetic)")
	case f.tasks < 0:
		return trainers.EvalOptions{}, configErrorf("eval: --tasks must be >= 0 (0 = the whole held-out split), got %d", f.tasks)
	case f.passK < 0:
		return trainers.EvalOptions{}, configErrorf("eval: --pass-k must be >= 0 (0 = off), got %d", f.passK)
	case f.maxNew < 1:
		return trainers.EvalOptions{}, configErrorf("eval: --max-new-tokens must be >= 1, got %d", f.maxNew)
	}
	if st, err := os.Stat(f.checkpoint); err != nil || !st.IsDir() {
		return trainers.EvalOptions{}, configErrorf("eval: --checkpoint %s is not a folder (give a run's checkpoints/latest or a base policy folder)", f.checkpoint)
	}
	if err := checkEnv(f.env); err != nil {
		return trainers.EvalOptions{}, err
	}
	for _, s := range f.sets {
		if !strings.HasPrefix(s, "env_args.") {
			return trainers.EvalOptions{}, configErrorf("eval: --set %s: eval only takes env settings (--set env_args.<name>=value)", s)
		}
	}
	// env first, so that another env than the default starts from empty env_args.
	sets := append([]string{"env=" + f.env}, f.sets...)
	cfg, err := configfile.Load("", sets, nil) // parses env_args values as YAML, like `train --set`
	if err != nil {
		return trainers.EvalOptions{}, configError{fmt.Errorf("eval: %w", err)}
	}
	return trainers.EvalOptions{
		Checkpoint: f.checkpoint, Env: f.env, EnvArgs: cfg.EnvArgs,
		Tasks: f.tasks, PassK: f.passK, MaxNew: f.maxNew, Seed: f.seed,
	}, nil
}
