package policy

import (
	"math/rand/v2"
	"syscall"
	"testing"

	"grit/tensor"
)

// Real-shape benchmarks with random weights (no download): the architectures of two public
// checkpoints, instantiated by NewGPT. Token ids are uniform over the vocabulary. PyTorch runs the
// same shapes with policy/bench/pytorch_bench.py; BENCHMARKS.md ("Real shapes") has the numbers.

// smolLMConfig is SmolLM2-135M's shape: 30 Llama blocks of width 576, 9 query / 3 KV heads, SwiGLU
// 1536, RMSNorm, RoPE, no biases, 49152-token vocabulary, tied embeddings (134.5M parameters).
func smolLMConfig() Config {
	return Config{Vocab: 49152, DModel: 576, NHeads: 9, NKVHeads: 3, NLayers: 30, MLPHidden: 1536, Context: 2048,
		Norm: RMSNorm, Activation: SwiGLU, Positions: RoPEPositions, RoPETheta: 100000, NormEps: 1e-5, TieEmbeddings: true}
}

// qwen05Config is Qwen2.5-0.5B's shape: 24 blocks of width 896, 14 query / 2 KV heads, SwiGLU 4864,
// biases on q/k/v only, 151936-token vocabulary, tied embeddings (494M parameters).
func qwen05Config() Config {
	return Config{Vocab: 151936, DModel: 896, NHeads: 14, NKVHeads: 2, NLayers: 24, MLPHidden: 4864, Context: 32768,
		Norm: RMSNorm, Activation: SwiGLU, Positions: RoPEPositions, RoPETheta: 1e6, NormEps: 1e-6, TieEmbeddings: true, QKVBias: true}
}

// noEOSTokenizer is the character tokenizer without an end-of-sequence id, so that a random model
// never stops early and every sequence generates exactly MaxNewTokens (as PyTorch's loop does).
type noEOSTokenizer struct{ *CharTokenizer }

func (noEOSTokenizer) EOS() int { return -1 }

func newBenchModel(b *testing.B, cfg Config) *GPT {
	m, err := NewGPT(cfg, noEOSTokenizer{DefaultCharTokenizer()}, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d parameters", m.NumParams())
	return m
}

func uniformTokens(rng *rand.Rand, n, vocab int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = rng.IntN(vocab)
	}
	return out
}

// reportPeakRSS reports the process's peak resident set (peakRSSMiB) in MiB, where it can be read.
func reportPeakRSS(b *testing.B) {
	if mib := peakRSSMiB(); mib > 0 {
		b.ReportMetric(mib, "peak-RSS-MiB")
	}
}

// cpuSeconds is the process's user + system CPU time so far. On a shared machine tokens per CPU
// second are steadier than tokens per wall second (which fall with the load).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportCPU reports tokens per CPU second since cpu0 (see cpuSeconds).
func reportCPU(b *testing.B, tokens int, cpu0 float64) {
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(tokens)/cpu, "tok/cpu-s")
	}
}

// benchRealTrainStep is benchTrainStep at a real shape: forward + backward of next-token
// cross-entropy on batch sequences of seqLen predicted tokens, then AdamW (after one warm-up step).
func benchRealTrainStep(b *testing.B, cfg Config, batch, seqLen int) {
	m := newBenchModel(b, cfg)
	rng := rand.New(rand.NewPCG(2, 2))
	seqs := make([]Sequence, batch)
	for i := range seqs {
		seqs[i] = Sequence{Prompt: uniformTokens(rng, 1, cfg.Vocab), Completion: uniformTokens(rng, seqLen, cfg.Vocab)}
	}
	opt := tensor.NewAdamW(0.9, 0.95, 1e-8, 0.1)
	step := func() {
		m.ZeroGrad()
		_, backward, err := CrossEntropy(m, seqs)
		if err != nil {
			b.Fatal(err)
		}
		if err := backward(); err != nil {
			b.Fatal(err)
		}
		opt.Step(m.Params(), 1e-4)
	}
	step() // warm-up: optimiser state, arena, scratch pools
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(batch*seqLen)*float64(b.N)/b.Elapsed().Seconds(), "tok/s")
	reportCPU(b, batch*seqLen*b.N, cpu0)
	reportPeakRSS(b)
}

// benchRealSample times multinomial sampling (temperature 1, KV cache) of newTokens tokens for n
// sequences with promptLen-token prompts; the tokenizer has no EOS, so all n*newTokens are generated.
func benchRealSample(b *testing.B, cfg Config, n, promptLen, newTokens int) {
	m := newBenchModel(b, cfg)
	rng := rand.New(rand.NewPCG(3, 3))
	prompts := make([][]int, n)
	seeds := make([]uint64, n)
	for i := range prompts {
		prompts[i] = uniformTokens(rng, promptLen, cfg.Vocab)
		seeds[i] = uint64(i)
	}
	opts := SampleOptions{MaxNewTokens: newTokens, Temperature: 1}
	generated := 0
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		gens, err := m.Sample(prompts, seeds, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, g := range gens {
			generated += len(g.Tokens)
		}
	}
	b.ReportMetric(float64(generated)/b.Elapsed().Seconds(), "tok/s")
	reportCPU(b, generated, cpu0)
	if generated != n*newTokens*b.N {
		b.Fatalf("only %d of %d tokens generated", generated, n*newTokens*b.N)
	}
	reportPeakRSS(b)
}

// benchGRPOStep is the policy update of one GRPO step: prompts x samples sequences (a promptLen-token
// prompt shared by its samples, completionLen sampled tokens each) scored in mini-batches of
// miniBatch sequences, each Forward, Backward with per-token log-prob and entropy seeds (as a
// clipped-ratio loss with an entropy bonus gives), and an AdamW step, as the trainers run it.
// It reports the peak resident memory of the process.
func benchGRPOStep(b *testing.B, cfg Config, prompts, samples, promptLen, completionLen, miniBatch int) {
	m := newBenchModel(b, cfg)
	rng := rand.New(rand.NewPCG(4, 4))
	var seqs []Sequence
	for p := 0; p < prompts; p++ {
		prompt := uniformTokens(rng, promptLen, cfg.Vocab)
		for s := 0; s < samples; s++ {
			seqs = append(seqs, Sequence{Prompt: prompt, Completion: uniformTokens(rng, completionLen, cfg.Vocab)})
		}
	}
	opt := tensor.NewAdamW(0.9, 0.95, 1e-8, 0.1)
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		grpoUpdate(b, m, opt, rng, seqs, miniBatch)
	}
	b.ReportMetric(float64(len(seqs)*completionLen)*float64(b.N)/b.Elapsed().Seconds(), "scored-tok/s")
	reportCPU(b, len(seqs)*completionLen*b.N, cpu0)
	reportPeakRSS(b)
}

// grpoUpdate is a GRPO step's policy update: seqs in mini-batches of miniBatch, each Forward,
// Backward with per-token log-prob and entropy seeds (as a clipped-ratio loss with an entropy bonus
// gives) and an AdamW step.
func grpoUpdate(b *testing.B, m *GPT, opt *tensor.AdamW, rng *rand.Rand, seqs []Sequence, miniBatch int) {
	for lo := 0; lo < len(seqs); lo += miniBatch {
		mb := seqs[lo:min(lo+miniBatch, len(seqs))]
		pass, err := m.Forward(mb)
		if err != nil {
			b.Fatal(err)
		}
		dLogp, dEnt := make([][]float32, len(mb)), make([][]float32, len(mb))
		for j := range mb {
			n := len(mb[j].Completion)
			dLogp[j], dEnt[j] = make([]float32, n), make([]float32, n)
			for t := range dLogp[j] {
				dLogp[j][t], dEnt[j][t] = float32(rng.NormFloat64())*1e-3, -1e-3
			}
		}
		m.ZeroGrad()
		if err := pass.Backward(dLogp, dEnt); err != nil {
			b.Fatal(err)
		}
		opt.Step(m.Params(), 1e-6)
	}
}

// 8 x 256 tokens, forward + backward + AdamW.
func BenchmarkTrainStepSmolLM(b *testing.B) { benchRealTrainStep(b, smolLMConfig(), 8, 256) }

// 16 sequences, 64-token prompts, 128 new tokens.
func BenchmarkSampleSmolLM(b *testing.B) { benchRealSample(b, smolLMConfig(), 16, 64, 128) }

// 8 prompts x 8 samples x (64 prompt + 192 completion tokens), mini-batches of 8 sequences.
func BenchmarkGRPOStepSmolLM(b *testing.B) { benchGRPOStep(b, smolLMConfig(), 8, 8, 64, 192, 8) }

// 4 x 256 tokens (half SmolLM's batch: the 0.5B model's weights, gradients and AdamW moments alone
// take 7.9 GB).
func BenchmarkTrainStepQwen05(b *testing.B) { benchRealTrainStep(b, qwen05Config(), 4, 256) }
