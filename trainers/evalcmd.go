package trainers

import (
	"context"
	"fmt"
	"io"

	"grit/envs"
	"grit/policy"
)

// evalCheckpoint is Eval: load a policy folder and evaluate it on an env's held-out split. A
// missing or unreadable policy folder and a bad env are *ConfigError (the caller names the
// command; these messages do not).
func evalCheckpoint(ctx context.Context, opts EvalOptions) (EvalMetrics, error) {
	if opts.Checkpoint == "" {
		return nil, &ConfigError{fmt.Errorf("no checkpoint folder given (--checkpoint DIR)")}
	}
	if opts.MaxNew <= 0 {
		return nil, &ConfigError{fmt.Errorf("max new tokens must be > 0")}
	}
	pol, err := policy.LoadPolicy(opts.Checkpoint)
	if err != nil {
		return nil, &ConfigError{fmt.Errorf("--checkpoint %s is not a policy folder: %w", opts.Checkpoint, err)}
	}
	env, err := envs.New(opts.Env, opts.EnvArgs)
	if err != nil {
		return nil, &ConfigError{err}
	}
	if c, ok := env.(io.Closer); ok {
		defer c.Close()
	}
	return evaluate(ctx, pol, nil, env, heldOut(env, opts.Tasks), opts.MaxNew, opts.PassK, streamSeed(opts.Seed, "eval"))
}
