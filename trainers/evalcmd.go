package trainers

import (
	"context"
	"fmt"
	"io"

	"grit/envs"
	"grit/policy"
)

// evalCheckpoint is Eval: load a policy folder and evaluate it on an env's held-out split.
func evalCheckpoint(ctx context.Context, opts EvalOptions) (EvalMetrics, error) {
	if opts.Checkpoint == "" {
		return nil, fmt.Errorf("eval: no checkpoint folder given (--checkpoint DIR)")
	}
	if opts.MaxNew <= 0 {
		return nil, fmt.Errorf("eval: max new tokens must be > 0")
	}
	pol, err := policy.Load(opts.Checkpoint)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	env, err := envs.New(opts.Env, opts.EnvArgs)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if c, ok := env.(io.Closer); ok {
		defer c.Close()
	}
	return evaluate(ctx, pol, env, heldOut(env, opts.Tasks), opts.MaxNew, opts.PassK, streamSeed(opts.Seed, "eval"))
}
