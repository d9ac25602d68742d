package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"grit/envs"
	"grit/trainers"
	"grit/trainers/configfile"
	"grit/trainers/plots"
)

// runFlags are the root command's flags.
type runFlags struct {
	algo, config, out, resume string
	sets                      []string
	dryRun                    bool
}

func joinAlgos() string {
	names := make([]string, len(trainers.Algorithms))
	for i, a := range trainers.Algorithms {
		names[i] = string(a)
	}
	return strings.Join(names, "|")
}

// train resolves the config, prepares the run folder and runs the trainer.
func (a *app) train(cmd *cobra.Command, f runFlags) error {
	cfg, outDir, err := a.resolve(cmd, f)
	if err != nil {
		return err
	}
	if err := checkEnv(cfg.Env); err != nil {
		return err
	}
	resuming := f.resume != ""
	if !resuming {
		// Every check a run makes (env, init folder, model shape, schedule) before anything is
		// written; --dry-run makes the same ones.
		if err := a.prepare(cfg); err != nil {
			return err
		}
	}
	if f.dryRun {
		b, err := configfile.Dump(cfg)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(b)
		return err
	}
	if err := checkWorkersServer(cfg); err != nil {
		return err
	}
	if !resuming {
		if f.out == "" {
			outDir, err = claimDefaultRunDir(outDir, cfg)
		} else {
			err = claimRunDir(outDir, cfg)
		}
		if err != nil {
			return err
		}
	}

	ctx, stop := notifyContext(a.stderr, a.exit)
	defer stop()
	prog := newProgress(a.stdout, isTerminal(a.stdout))
	learner, err := startLearner(ctx, cfg, outDir, prog)
	if err != nil {
		return err
	}
	opts := trainers.RunOptions{OutDir: outDir, Resume: resuming, Log: prog, Progress: prog.update}
	if learner != nil {
		defer learner.Close()
		opts.Rollouts = learner
	}
	sum, runErr := a.run(ctx, cfg, opts)
	prog.finish()
	if err := plots.WriteRunPlots(outDir); err != nil && runErr == nil && cfg.Steps > 0 {
		fmt.Fprintf(a.stderr, "train: warning: no plots: %v\n", err)
	}
	switch {
	case errors.Is(runErr, trainers.ErrInterrupted):
		printInterrupted(a.stdout, outDir)
		return errStopped
	case runErr != nil:
		return fmt.Errorf("%w\n(what the run wrote is in %s)", runErr, outDir)
	}
	printReport(a.stdout, cfg, sum, outDir)
	return nil
}

// resolve builds the config from the flags (or the run folder when resuming) and picks the run
// folder.
func (a *app) resolve(cmd *cobra.Command, f runFlags) (trainers.Config, string, error) {
	if f.resume != "" {
		for _, name := range []string{"algo", "config", "set", "out"} {
			if cmd.Flags().Changed(name) {
				return trainers.Config{}, "", configErrorf(
					"--resume takes no other settings (got --%s): a resumed run keeps the config in %s; start a new run to change it",
					name, filepath.Join(f.resume, configfile.ResolvedName))
			}
		}
		cfg, err := configfile.LoadResolved(f.resume)
		if err != nil {
			return trainers.Config{}, "", configError{fmt.Errorf("resume: %w", err)}
		}
		fillWorkerSecrets(&cfg, a.environ)
		return cfg, f.resume, nil
	}
	sets := f.sets
	if cmd.Flags().Changed("algo") {
		sets = append(slices.Clone(sets), "algo="+f.algo)
	}
	cfg, err := configfile.Load(f.config, sets, a.environ)
	if err != nil {
		return trainers.Config{}, "", configError{err}
	}
	out := f.out
	if out == "" {
		out = filepath.Join("runs", string(cfg.Algo)+"-"+a.now().Format("20060102-150405"))
	}
	return cfg, out, nil
}

// checkEnv rejects an env that no linked package registered, listing the ones that are.
func checkEnv(name string) error {
	registered := envs.Registered()
	if slices.Contains(registered, name) {
		return nil
	}
	list := strings.Join(registered, ", ")
	if list == "" {
		list = "(none are linked into this binary)"
	}
	return configErrorf("env: unknown env %q; registered envs: %s", name, list)
}
