package main

import (
	"fmt"
	"os"
	"path/filepath"
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
	chatTemplate    bool   // render prompts through the checkpoint's chat template
	systemPrompt    string // system turn with the chat template
}

func (a *app) evalCommand() *cobra.Command {
	def := trainers.Defaults()
	f := evalFlags{maxNew: def.MaxNewTokens, seed: def.Seed}
	cmd := &cobra.Command{
		Use:   "eval [RUN_FOLDER] [--checkpoint DIR] [--env NAME]",
		Short: "Evaluate a run or a checkpoint on an env's held-out split (greedy accuracy, pass@k, mean length)",
		Long: `eval evaluates a policy on an env's held-out split.

Given a run folder, it evaluates the run's checkpoints/best (else checkpoints/latest) with the env,
env_args, max_new_tokens, eval_tasks and seed of the run's config.yaml; flags override each of them
(--set env_args.x=... changes one env setting, --env another env starts from empty env_args).
Without a run folder, --checkpoint DIR and --env NAME are required.`,
		Example: `  train eval runs/grpo-20250101-120000 --pass-k 8
  train eval runs/grpo-20250101-120000 --checkpoint runs/grpo-20250101-120000/checkpoints/latest
  train eval --checkpoint configs/base/arithmetic --env arithmetic --set env_args.digits_max=3`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return configErrorf("eval: unexpected argument %q; give one run folder, or --checkpoint DIR --env NAME", args[1])
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			run := ""
			if len(args) == 1 {
				run = args[0]
			}
			return a.runEval(cmd, f, run)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.checkpoint, "checkpoint", "", "policy folder: a run's checkpoints/latest or best, or a base policy (required)")
	fl.StringVar(&f.env, "env", "", "registered env name, e.g. arithmetic (required)")
	fl.StringArrayVar(&f.sets, "set", nil, "env setting: --set env_args.digits=3 (repeatable; only env_args.* keys)")
	fl.IntVar(&f.tasks, "tasks", 0, "held-out tasks to use; 0 = the whole split")
	fl.IntVar(&f.passK, "pass-k", 0, "also report pass@k from k samples at temperature 1; 0 = off")
	fl.IntVar(&f.maxNew, "max-new-tokens", f.maxNew, "max new tokens per turn")
	fl.Uint64Var(&f.seed, "seed", f.seed, "seed for pass@k sampling and task order")
	fl.BoolVar(&f.chatTemplate, "chat-template", false, "render prompts through the checkpoint's chat template (a run folder: its chat_template setting)")
	fl.StringVar(&f.systemPrompt, "system-prompt", "", "system turn of the chat template (a run folder: its system_prompt setting)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return configError{err} })
	return cmd
}

func (a *app) runEval(cmd *cobra.Command, f evalFlags, run string) error {
	opts, err := evalOptions(f, run, cmd.Flags().Changed)
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
	fmt.Fprintf(a.stdout, "%s on %s (held-out):\n", opts.Checkpoint, opts.Env)
	for _, k := range keys {
		fmt.Fprintf(a.stdout, "  %-20s %.4g\n", k, m[k])
	}
	return nil
}

// evalOptions checks the flags (every mistake is a config error, exit 2) and builds the options.
// With a run folder, the run's config.yaml supplies what the flags leave out (changed reports
// which flags were given).
func evalOptions(f evalFlags, run string, changed func(flag string) bool) (trainers.EvalOptions, error) {
	cfgPath := ""
	if run != "" {
		cfgPath = filepath.Join(run, configfile.ResolvedName)
		if _, err := os.Stat(cfgPath); err != nil {
			return trainers.EvalOptions{}, configErrorf("eval: %s is not a run folder (no %s); give a folder written by train, or --checkpoint DIR --env NAME", run, configfile.ResolvedName)
		}
		if f.checkpoint == "" {
			f.checkpoint = runCheckpoint(run)
		}
	}
	switch {
	case f.checkpoint == "":
		return trainers.EvalOptions{}, configErrorf("eval: --checkpoint DIR is required without a run folder (a run's checkpoints/latest or best, or a base policy such as configs/base/arithmetic)")
	case f.env == "" && run == "":
		return trainers.EvalOptions{}, configErrorf("eval: --env NAME is required without a run folder (e.g. --env arithmetic)")
	}
	for _, s := range f.sets {
		if !strings.HasPrefix(s, "env_args.") {
			return trainers.EvalOptions{}, configErrorf("eval: --set %s: eval only takes env settings (--set env_args.<name>=value)", s)
		}
	}
	if f.env != "" {
		if err := checkEnv(f.env); err != nil {
			return trainers.EvalOptions{}, err
		}
	}
	// env first, so that another env than the file's (or the default) starts from empty env_args.
	sets := f.sets
	if f.env != "" {
		sets = append([]string{"env=" + f.env}, f.sets...)
	}
	cfg, err := configfile.Load(cfgPath, sets, nil) // parses env_args values as YAML, like `train --set`
	if err != nil {
		return trainers.EvalOptions{}, configError{fmt.Errorf("eval: %w", err)}
	}
	if run != "" {
		if err := checkEnv(cfg.Env); err != nil {
			return trainers.EvalOptions{}, err
		}
		if !changed("max-new-tokens") {
			f.maxNew = cfg.MaxNewTokens
		}
		if !changed("seed") {
			f.seed = cfg.Seed
		}
		if !changed("tasks") {
			f.tasks = cfg.EvalTasks
		}
		if !changed("chat-template") {
			f.chatTemplate = cfg.ChatTemplate
		}
		if !changed("system-prompt") {
			f.systemPrompt = cfg.SystemPrompt
		}
	}
	switch {
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
	opts := trainers.EvalOptions{
		Checkpoint: f.checkpoint, Env: cfg.Env, EnvArgs: cfg.EnvArgs,
		Tasks: f.tasks, PassK: f.passK, MaxNew: f.maxNew, Seed: f.seed,
		ChatTemplate: f.chatTemplate, SystemPrompt: f.systemPrompt,
	}
	if run != "" && cfg.Algo == trainers.AlgoRRR && f.env == "" { // reflect and retry, as the run did
		opts.RRR = &cfg.RRR
	}
	return opts, nil
}

// runCheckpoint is the policy a run folder is evaluated with: checkpoints/best, else
// checkpoints/latest (a run interrupted before its first eval).
func runCheckpoint(run string) string {
	for _, c := range []string{"best", "latest"} {
		p := filepath.Join(run, "checkpoints", c)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
	}
	return filepath.Join(run, "checkpoints", "best")
}
