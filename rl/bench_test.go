package rl

import (
	"math/rand/v2"
	"testing"
)

const benchRows, benchTokens = 256, 512

func benchBatch() (MiniBatch, [][]float32) {
	rng := rand.New(rand.NewPCG(5, 6))
	var mb MiniBatch
	var logp [][]float32
	for range benchRows {
		old, ref, lp := make([]float32, benchTokens), make([]float32, benchTokens), make([]float32, benchTokens)
		for t := range old {
			old[t] = -float32(3 * rng.Float64())
			ref[t] = old[t] + float32(0.1*rng.NormFloat64())
			lp[t] = old[t] + float32(0.2*rng.NormFloat64())
		}
		mb.OldLogp, mb.RefLogp = append(mb.OldLogp, old), append(mb.RefLogp, ref)
		mb.Advantage = append(mb.Advantage, rng.NormFloat64())
		logp = append(logp, lp)
	}
	return mb, logp
}

// BenchmarkLossGRPO: clip loss + k3 KL + gradients over 256 completions x 512 tokens.
func BenchmarkLossGRPO(b *testing.B) {
	mb, logp := benchBatch()
	cfg := DefaultLossConfig()
	cfg.Beta = 0.04
	b.ResetTimer()
	for b.Loop() {
		if _, err := PolicyLoss(cfg, mb, logp, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows*benchTokens)*float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}
