package store

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rewards"
	"grit/rl"
)

const benchRows, benchTokens = 256, 512

// BenchmarkRolloutBufferWrite: build the Arrow record of 256 x 512-token completions and encode
// it as an IPC file in memory.
func BenchmarkRolloutBufferWrite(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	samples := make([]rl.Sample, benchRows)
	for i := range samples {
		t := rl.TurnTokens{Context: make([]int, 64), Tokens: make([]int, benchTokens), Logp: make([]float32, benchTokens), RefLogp: make([]float32, benchTokens), Text: "completion"}
		for k := range t.Tokens {
			t.Tokens[k] = rng.IntN(1000)
			t.Logp[k] = -float32(rng.Float64())
		}
		samples[i] = rl.Sample{Group: i / 16, Index: i % 16, Turns: []rl.TurnTokens{t}, PromptText: "prompt",
			Components: []rewards.Component{{Name: "answer", Value: 1, OK: true}, {Name: "format", Value: 0.1, OK: true}}}
	}
	mem := memory.NewGoAllocator()
	b.ResetTimer()
	for b.Loop() {
		rec, err := StepRecord(mem, "bench", samples)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := EncodeIPC(rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
	}
	b.ReportMetric(float64(benchRows*benchTokens)*float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}
