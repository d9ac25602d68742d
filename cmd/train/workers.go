package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"grit/distrib"
	"grit/trainers"
)

// fillWorkerSecrets replaces the redacted credentials of a resumed run's config with
// GRIT_WORKERS_PASSWORD / GRIT_WORKERS_TOKEN from environ.
func fillWorkerSecrets(cfg *trainers.Config, environ []string) {
	for _, s := range []struct {
		name   string
		secret *trainers.Secret
	}{{"GRIT_WORKERS_PASSWORD", &cfg.Workers.Password}, {"GRIT_WORKERS_TOKEN", &cfg.Workers.Token}} {
		if *s.secret != trainers.Redacted {
			continue
		}
		for _, kv := range environ {
			if v, ok := strings.CutPrefix(kv, s.name+"="); ok {
				*s.secret = trainers.Secret(v)
			}
		}
	}
}

// workersAuth is the credentials of cfg's workers section.
func workersAuth(w trainers.WorkersConfig) distrib.Auth {
	return distrib.Auth{User: w.User, Password: w.Password.Reveal(), Token: w.Token.Reveal()}
}

// checkWorkersServer fails with a config error (exit 2) when workers.url names a server that
// cannot be reached or the credentials are placeholders; nothing has been written yet.
func checkWorkersServer(cfg trainers.Config) error {
	w := cfg.Workers
	if !w.Enabled {
		return nil
	}
	if err := w.CheckSecrets(); err != nil {
		return configError{err}
	}
	if w.URL == "" {
		return nil
	}
	if err := distrib.Ping(w.URL, workersAuth(w)); err != nil {
		return configError{err}
	}
	return nil
}

// startLearner starts the rollout-worker learner of a run with workers.enabled (nil otherwise);
// an unreachable server is a config error (exit 2).
func startLearner(ctx context.Context, cfg trainers.Config, outDir string, log io.Writer) (*distrib.Learner, error) {
	if !cfg.Workers.Enabled {
		return nil, nil
	}
	l, err := distrib.StartLearner(ctx, cfg, outDir, log)
	if errors.Is(err, distrib.ErrUnreachable) {
		return nil, configError{err}
	}
	return l, err
}
