package policy

import (
	"math/rand/v2"
	"testing"

	"grit/tensor"
)

// benchTrainStep times one forward + backward + AdamW step of next-token cross-entropy on
// batch sequences of seqLen predicted tokens (seqLen+1 tokens each, nanoGPT's x/y convention).
func benchTrainStep(b *testing.B, cfg Config, batch, seqLen int) {
	m, err := NewGPT(cfg, DefaultCharTokenizer(), 1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	seqs := make([]Sequence, batch)
	for i := range seqs {
		toks := randomTokens(rng, seqLen)
		seqs[i] = Sequence{Prompt: []int{charBOS}, Completion: toks}
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
	step() // warm-up: optimiser state, scratch pools
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(batch*seqLen)*float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}

// benchSample times multinomial sampling (temperature 1, KV cache) of newTokens tokens for n
// sequences with promptLen-token prompts. A random model emits EOS about once in 64 tokens, so EOS
// is banned as PyTorch's generate loop did not stop: the final norm's bias is set to +1 and the EOS
// output row to -1, so EOS's logit is -D + w·x̂ = -D (x̂ has zero mean) while other logits move by
// w_v·1 ~ N(0, 0.02²D). tok/s counts the tokens actually generated.
func benchSample(b *testing.B, cfg Config, n, promptLen, newTokens int) {
	m, err := NewGPT(cfg, DefaultCharTokenizer(), 1)
	if err != nil {
		b.Fatal(err)
	}
	d, eos := cfg.DModel, m.tok.EOS()
	for j := 0; j < d; j++ {
		m.lnfB.Value.Data[j] = 1
		m.head.Value.Data[eos*d+j] = -1
	}
	rng := rand.New(rand.NewPCG(3, 3))
	prompts := make([][]int, n)
	seeds := make([]uint64, n)
	for i := range prompts {
		prompts[i] = withBOS(randomTokens(rng, promptLen-1))
		seeds[i] = uint64(i)
	}
	opts := SampleOptions{MaxNewTokens: newTokens, Temperature: 1}
	generated := 0
	b.ResetTimer()
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
	if generated != n*newTokens*b.N {
		b.Fatalf("only %d of %d tokens generated (early EOS)", generated, n*newTokens*b.N)
	}
}

func BenchmarkTrainStepTiny(b *testing.B)  { benchTrainStep(b, TinyConfig(), 32, 64) }
func BenchmarkTrainStepSmall(b *testing.B) { benchTrainStep(b, SmallConfig(), 32, 128) }
func BenchmarkSampleTiny(b *testing.B)     { benchSample(b, TinyConfig(), 64, 16, 48) }
func BenchmarkSampleSmall(b *testing.B)    { benchSample(b, SmallConfig(), 64, 16, 112) }
