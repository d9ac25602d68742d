package trainers

import (
	"context"
	"errors"
)

func run(ctx context.Context, cfg Config, opts RunOptions) (*Summary, error) {
	return nil, errors.New("trainers: Run not implemented yet")
}

func evalCheckpoint(ctx context.Context, opts EvalOptions) (EvalMetrics, error) {
	return nil, errors.New("trainers: Eval not implemented yet")
}
