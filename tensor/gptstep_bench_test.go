package tensor

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGPTStepTiny times one forward + backward + AdamW step of the tiny benchmark GPT (vocab 64,
// d_model 128, 4 heads, 2 layers, MLP 4x, learned positions, batch 32 x 64) built directly on the tape,
// to see the backend's share of policy's BenchmarkTrainStepTiny.
func BenchmarkGPTStepTiny(b *testing.B) {
	const vocab, d, nh, layers, batch, seq = 64, 128, 4, 2, 32, 64
	hd := d / nh
	rng := rand.New(rand.NewPCG(1, 2))
	var params []*Param
	mk := func(name string, scale float64, shape ...int) *Param {
		p := NewParam(name, shape...)
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(rng.NormFloat64() * scale)
		}
		params = append(params, p)
		return p
	}
	wte, wpe := mk("wte", 0.02, vocab, d), mk("wpe", 0.02, seq, d)
	type block struct{ ln1g, ln1b, qkv, qkvb, proj, projb, ln2g, ln2b, fc, fcb, fc2, fc2b *Param }
	blocks := make([]block, layers)
	for l := range blocks {
		blocks[l] = block{mk("ln1g", 0, d), mk("ln1b", 0, d), mk("qkv", 0.02, 3*d, d), mk("qkvb", 0, 3*d),
			mk("proj", 0.02, d, d), mk("projb", 0, d), mk("ln2g", 0, d), mk("ln2b", 0, d),
			mk("fc", 0.02, 4*d, d), mk("fcb", 0, 4*d), mk("fc2", 0.02, d, 4*d), mk("fc2b", 0, d)}
	}
	lnfg, lnfb := mk("lnfg", 0, d), mk("lnfb", 0, d)
	for i, p := range params {
		p.Name = p.Name + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	ids := make([]int, batch*seq)
	pos := make([]int, batch*seq)
	for i := range ids {
		ids[i], pos[i] = rng.IntN(vocab), i%seq
	}
	targets := append(ids[1:], -1)
	opt := NewAdamW(0.9, 0.95, 1e-8, 0.1)
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		ZeroGrads(params)
		tp := NewTape()
		x := tp.Add(tp.Embedding(tp.Param(wte), ids), tp.Embedding(tp.Param(wpe), pos))
		for _, bl := range blocks {
			h := tp.LayerNorm(x, tp.Param(bl.ln1g), tp.Param(bl.ln1b), 1e-5)
			a := tp.CausalSelfAttention(tp.Linear(h, tp.Param(bl.qkv), tp.Param(bl.qkvb)), batch, seq, nh, nh, hd, nil)
			x = tp.Add(x, tp.Linear(a, tp.Param(bl.proj), tp.Param(bl.projb)))
			h = tp.LayerNorm(x, tp.Param(bl.ln2g), tp.Param(bl.ln2b), 1e-5)
			h = tp.Linear(tp.GELU(tp.Linear(h, tp.Param(bl.fc), tp.Param(bl.fcb))), tp.Param(bl.fc2), tp.Param(bl.fc2b))
			x = tp.Add(x, h)
		}
		x = tp.LayerNorm(x, tp.Param(lnfg), tp.Param(lnfb), 1e-5)
		loss := tp.CrossEntropy(tp.Linear(x, tp.Param(wte), nil), targets)
		tp.GradOf(loss).Data[0] = 1
		tp.Backward()
		ClipGradNorm(params, 1)
		opt.Step(params, 1e-3)
	}
	b.ReportMetric(float64(batch*seq)*float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}
