package trainers

import (
	"context"
	"fmt"
)

// algorithm is what differs between trainers: one step of work on the shared loop. A step fills
// its metrics into m (timing keys end in _s / _per_s).
type algorithm interface {
	step(ctx context.Context, step int, m Metrics) error
	// totalOptSteps is the number of optimiser steps of the whole run (for LR schedules).
	totalOptSteps() int
	// needsReference reports whether a frozen copy of the starting policy is needed (KL terms).
	needsReference() bool
}

func newAlgorithm(t *trainer) (algorithm, error) {
	switch t.cfg.Algo {
	case AlgoGRPO:
		return newGRPO(t), nil
	case AlgoSFT:
		return &sft{t: t}, nil
	case AlgoSCoRe:
		return newSCoRe(t)
	case AlgoNFT:
		return &nft{t: t}, nil
	case AlgoHDPO:
		return &hdpo{t: t}, nil
	case AlgoExpertIter:
		return newExpertIter(t)
	case AlgoRRR:
		return newRRR(t)
	}
	return nil, fmt.Errorf("algo %q is unknown; use one of %v", t.cfg.Algo, Algorithms)
}
