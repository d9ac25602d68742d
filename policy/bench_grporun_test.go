package policy

import (
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"grit/tensor"
)

// BenchmarkGRPORunSmolLM is what a GRPO run does at the SmolLM2-135M shape, several steps on one
// model: sample 8 prompts x 8 completions (64-token prompts, 192 new tokens, temperature 1; the
// sampler's log-probs are the old log-probs, as in the trainers), then update on the 64 sequences in
// mini-batches of 8 (forward, backward with per-token log-prob and entropy seeds, AdamW). Run it
// with -benchtime 1x: one iteration is grpoRunSteps steps. It reports the peak resident set of the
// first step and, separately, of the steps after it (the kernel's high-water mark is reset between
// them), i.e. what a long run holds once the optimiser moments and the tape arena exist. The garbage
// collector runs at 25% heap growth, as the train command sets it for policies of this size
// (GRIT_BENCH_GOGC=100 measures Go's default instead).
func BenchmarkGRPORunSmolLM(b *testing.B) {
	gcPercent := 25
	if v, err := strconv.Atoi(os.Getenv("GRIT_BENCH_GOGC")); err == nil {
		gcPercent = v
	}
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	benchGRPORun(b, smolLMConfig(), 8, 8, 64, 192, 8)
}

// grpoRunSteps is the number of GRPO steps per iteration of BenchmarkGRPORunSmolLM.
const grpoRunSteps = 3

func benchGRPORun(b *testing.B, cfg Config, prompts, samples, promptLen, completionLen, miniBatch int) {
	m := newBenchModel(b, cfg)
	rng := rand.New(rand.NewPCG(5, 5))
	opt := tensor.NewAdamW(0.9, 0.95, 1e-8, 0.1)
	step := func(s int) {
		var ps [][]int
		var seeds []uint64
		for p := 0; p < prompts; p++ {
			prompt := uniformTokens(rng, promptLen, cfg.Vocab)
			for j := 0; j < samples; j++ {
				ps = append(ps, prompt)
				seeds = append(seeds, uint64(s*prompts*samples+len(seeds)))
			}
		}
		gens, err := m.Sample(ps, seeds, SampleOptions{MaxNewTokens: completionLen, Temperature: 1})
		if err != nil {
			b.Fatal(err)
		}
		seqs := make([]Sequence, len(gens))
		for i, g := range gens {
			seqs[i] = Sequence{Prompt: ps[i], Completion: g.Tokens}
		}
		grpoUpdate(b, m, opt, rng, seqs, miniBatch)
	}
	b.ResetTimer()
	var firstPeak, laterPeak float64
	for i := 0; i < b.N; i++ {
		for s := 0; s < grpoRunSteps; s++ {
			start := time.Now()
			step(i*grpoRunSteps + s)
			b.Logf("step %d: %.1f s, peak RSS since the last reset %.0f MiB", s+1, time.Since(start).Seconds(), peakRSSMiB())
			if i == 0 && s == 0 {
				firstPeak = peakRSSMiB()
				resetPeakRSS(b)
			}
		}
	}
	laterPeak = peakRSSMiB()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N*grpoRunSteps), "s/step")
	b.ReportMetric(firstPeak, "first-step-peak-RSS-MiB")
	b.ReportMetric(laterPeak, "later-steps-peak-RSS-MiB")
}

// peakRSSMiB is VmHWM of /proc/self/status (Linux) in MiB, or 0 where it cannot be read.
func peakRSSMiB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			if kb, err := strconv.Atoi(f[1]); err == nil {
				return float64(kb) / 1024
			}
		}
	}
	return 0
}

// resetPeakRSS sets VmHWM back to the current resident set (writing 5 to /proc/self/clear_refs,
// Linux 4.0+); without it the later steps' peak cannot be told apart from the first's.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("cannot reset the peak RSS: %v", err)
	}
}
