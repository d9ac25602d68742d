package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/spf13/cobra"

	"grit/trainers"
	"grit/trainers/plots"
)

// sweepRun is one run of a sweep: a variant at one seed, in DIR/<variant>/seed-<s>/.
type sweepRun struct {
	variant *variant
	seed    uint64
	dir     string
}

func (a *app) sweepCommand() *cobra.Command {
	f := sweepFlags{seeds: 0, jobs: 1}
	cmd := &cobra.Command{
		Use:   "sweep --config FILE --seeds N [--set key=value ...] [--vary key=v1,v2,...] [--jobs J] [--out DIR]",
		Short: "Run a config over N seeds (and a grid of settings) and summarise each final metric",
		Long: `sweep runs one config over N seeds: run i (i = 0..N-1) uses seed = the config's seed + i.
With --vary key=v1,v2,... (repeatable) it runs every combination of the listed values (a variant),
each over the same seeds. Each run is a normal run folder, DIR/<variant>/seed-<s>/.

DIR/sweep.json holds, per variant and final metric (summary.json's "final" map and best_accuracy),
the values, mean, sample standard deviation and 95% confidence interval of the mean (Student's t,
n-1 degrees of freedom); DIR/sweep.md the same as a table; DIR/sweep-accuracy.svg a plot.

Rerunning the same command skips finished runs, resumes interrupted ones from their checkpoint
and starts the rest; DIR/sweep.yaml records the sweep, and other settings for the same DIR are
refused. Stop rules (stop.*) apply to each run, so --set stop.time_budget_s=60 gives every run
the same budget.`,
		Example: `  train sweep --config configs/ci/grpo.yaml --seeds 5
  train sweep --config configs/ci/grpo.yaml --seeds 5 --vary algo=grpo,nft --set stop.time_budget_s=60
  train sweep --config configs/ci/grpo.yaml --seeds 3 --vary lr=1e-4,3e-4 --vary beta=0,0.04 --jobs 2`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return configErrorf("unexpected argument %q; settings go in flags (--set key=value), see train sweep --help", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return a.sweep(f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "YAML config file (keys as in configs/grpo.yaml)")
	fl.IntVar(&f.seeds, "seeds", 0, "number of seeds (required, >= 1): the config's seed, seed+1, ...")
	fl.StringArrayVar(&f.sets, "set", nil, "override one key for every run: --set steps=20 (repeatable)")
	fl.StringArrayVar(&f.vary, "vary", nil, "vary one key over values: --vary algo=grpo,nft (repeatable; runs every combination)")
	fl.IntVar(&f.jobs, "jobs", 1, "runs in parallel (results do not depend on it)")
	fl.StringVar(&f.out, "out", "", "sweep folder (default runs/sweep-<YYYYMMDD-HHMMSS>; rerun with the same --out to continue)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return unknownFlagError(err, a.args) })
	cmd.AddCommand(a.sweepCompareCommand())
	return cmd
}

// sweep checks everything, records the sweep, runs what is left and writes the summary.
func (a *app) sweep(f sweepFlags) error {
	if f.seeds < 1 {
		return configErrorf("--seeds %d: give the number of seeds, at least 1 (e.g. --seeds 5)", f.seeds)
	}
	if f.jobs < 1 {
		return configErrorf("--jobs %d: give the number of parallel runs, at least 1", f.jobs)
	}
	axes, err := parseVary(f.vary)
	if err != nil {
		return err
	}
	variants, err := a.expandVariants(f, axes)
	if err != nil {
		return err
	}
	seeds := sweepSeeds(variants[0].cfg.Seed, f.seeds)
	if f.out == "" {
		f.out = filepath.Join("runs", "sweep-"+a.now().Format("20060102-150405"))
	}
	rec, err := recordOf(variants, seeds)
	if err != nil {
		return err
	}
	if err := checkOrWriteRecord(f.out, rec); err != nil {
		return err
	}

	var runs []sweepRun
	for i := range variants {
		for _, s := range seeds {
			runs = append(runs, sweepRun{&variants[i], s, filepath.Join(f.out, variants[i].Name, fmt.Sprintf("seed-%d", s))})
		}
	}
	ctx, stop := notifyContext(a.stderr, a.exit)
	defer stop()
	threads := sweepThreads(variants[0].cfg.Threads, f.jobs)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
	if err := a.runAll(ctx, runs, f.jobs); err != nil {
		if errors.Is(err, trainers.ErrInterrupted) {
			fmt.Fprintf(a.stdout, "\nstopped: finished runs are kept and interrupted ones resume from their checkpoint.\n  continue with   the same command (same --out %s)\n", f.out)
			return errStopped
		}
		return err
	}
	report, err := buildSweepReport(variants, seeds, f.out)
	if err != nil {
		return err
	}
	if err := writeSweepReport(f.out, report); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "sweep: %d runs in %s; summary in %s\n", len(runs), f.out,
		filepath.Join(f.out, "sweep.md"))
	return nil
}

// sweepThreads is the process-wide GOMAXPROCS of a sweep: the config's threads per run times the
// jobs, at most the cores (all cores when threads is 0). The runs share the Go scheduler, so each
// run's own threads setting is cleared (it would set GOMAXPROCS for all of them at once).
func sweepThreads(threads, jobs int) int {
	cores := runtime.NumCPU()
	if threads <= 0 {
		return cores
	}
	return min(threads*jobs, cores)
}

// runAll runs up to jobs runs at a time, in the order given. The first error stops new runs
// from starting; runs already going finish or are interrupted with ctx.
func (a *app) runAll(ctx context.Context, runs []sweepRun, jobs int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan sweepRun)
	for range min(jobs, len(runs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				err := a.runOne(ctx, r, &mu)
				if err != nil {
					mu.Lock()
					if firstErr == nil || errors.Is(firstErr, trainers.ErrInterrupted) && !errors.Is(err, trainers.ErrInterrupted) {
						firstErr = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	for _, r := range runs {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- r:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = trainers.ErrInterrupted
	}
	return firstErr
}

// runOne skips a finished run, resumes one with a checkpoint and starts the rest in a fresh run
// folder, as `train --out DIR` and `train --resume DIR` would. Its log goes to DIR/train.log.
func (a *app) runOne(ctx context.Context, r sweepRun, mu *sync.Mutex) error {
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(a.stdout, format+"\n", args...)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "summary.json")); err == nil {
		say("%s: finished, skipped", r.dir)
		return nil
	}
	cfg := r.variant.cfg
	cfg.Seed, cfg.Threads = r.seed, 0
	_, err := os.Stat(filepath.Join(r.dir, "checkpoints", "latest"))
	resume := err == nil
	if !resume {
		// A folder started by an earlier sweep that stopped before its first checkpoint holds
		// nothing to keep: start it again.
		if _, err := os.Stat(r.dir); err == nil {
			if err := os.RemoveAll(r.dir); err != nil {
				return fmt.Errorf("restart %s: %w", r.dir, err)
			}
		}
		if err := claimRunDir(r.dir, cfg); err != nil {
			return err
		}
	}
	logFile, err := os.OpenFile(filepath.Join(r.dir, "train.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	verb := "started"
	if resume {
		verb = "resumed"
	}
	say("%s: %s", r.dir, verb)
	sum, err := a.run(ctx, cfg, trainers.RunOptions{OutDir: r.dir, Resume: resume, Log: logFile})
	if perr := plots.WriteRunPlots(r.dir); perr != nil && err == nil && cfg.Steps > 0 {
		fmt.Fprintf(logFile, "warning: no plots: %v\n", perr)
	}
	switch {
	case errors.Is(err, trainers.ErrInterrupted):
		say("%s: interrupted", r.dir)
		return err
	case err != nil:
		return fmt.Errorf("%s: %w\n(its log is %s)", r.dir, err, filepath.Join(r.dir, "train.log"))
	}
	say("%s: done, held-out accuracy %.3f", r.dir, metric(sum.Final, "accuracy"))
	return nil
}
