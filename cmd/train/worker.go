package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"grit/distrib"
)

// workerFlags are `train worker`'s flags.
type workerFlags struct {
	connect, user, password, token, id, cacheDir string
	maxTasks                                     int
}

func (a *app) workerCommand() *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker --connect nats://HOST:PORT",
		Short: "Sample rollouts for a learner (a run with workers.enabled: true) over NATS JetStream",
		Long: `worker pulls prompt-group tasks from the learner's NATS JetStream server, fetches the policy
version each task names, plays the group with the run's env and seeds, and publishes the graded
rollouts. Any number of workers can join or leave a run at any time; a worker that dies mid-task
has its task redelivered to another after workers.ack_wait_s.

Credentials come from the flags or GRIT_WORKERS_USER / GRIT_WORKERS_PASSWORD / GRIT_WORKERS_TOKEN.`,
		Example: `  train worker --connect nats://127.0.0.1:4222
  GRIT_WORKERS_PASSWORD=... train worker --connect nats://learner.lan:4222 --user grit`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return a.runWorker(f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.connect, "connect", "", "NATS server URL of the learner (nats://host:port)")
	fl.StringVar(&f.user, "user", "", "user name (or GRIT_WORKERS_USER)")
	fl.StringVar(&f.password, "password", "", "password (or GRIT_WORKERS_PASSWORD; the variable keeps it out of the process list)")
	fl.StringVar(&f.token, "token", "", "token (or GRIT_WORKERS_TOKEN)")
	fl.StringVar(&f.id, "id", "", "worker id in results and metrics (default: host-pid)")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "folder for downloaded policy versions (default: a temporary folder)")
	fl.IntVar(&f.maxTasks, "max-tasks", 0, "stop after this many tasks (0 = until interrupted)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return configError{err} })
	return cmd
}

func (a *app) runWorker(f workerFlags) error {
	if f.connect == "" {
		return configErrorf("worker: --connect nats://HOST:PORT is required (the learner logs the address)")
	}
	auth := distrib.Auth{User: f.user, Password: f.password, Token: f.token}
	for name, dst := range map[string]*string{"GRIT_WORKERS_USER": &auth.User, "GRIT_WORKERS_PASSWORD": &auth.Password, "GRIT_WORKERS_TOKEN": &auth.Token} {
		if *dst != "" {
			continue
		}
		for _, kv := range a.environ {
			if v, ok := strings.CutPrefix(kv, name+"="); ok {
				*dst = v
			}
		}
	}
	ctx, stop := notifyContext(a.stderr, a.exit)
	defer stop()
	err := distrib.RunWorker(ctx, distrib.WorkerOptions{URL: f.connect, Auth: auth, ID: f.id, CacheDir: f.cacheDir,
		Log: a.stderr, MaxTasks: f.maxTasks})
	if errors.Is(err, distrib.ErrUnreachable) {
		return configError{err}
	}
	return err
}
