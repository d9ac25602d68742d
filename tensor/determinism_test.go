package tensor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// tinyStep runs a few training steps of a one-block transformer (embedding, LayerNorm, attention with
// RoPE and GQA, GELU MLP, cross-entropy, clipping, AdamW) and returns the final parameters and losses.
func tinySteps(steps int) ([]*Param, []float32) { return tinyStepsOn(steps, NewTape) }

// tinyStepsOn is tinySteps with each step's tape made by newTape.
func tinyStepsOn(steps int, newTape func() *Tape) ([]*Param, []float32) {
	const (
		vocab, d, nh, nkv, hd = 11, 16, 4, 2, 4
		batch, seq            = 3, 40 // 120 rows: several parallel chunks
	)
	rng := rand.New(rand.NewPCG(42, 0))
	mk := func(name string, scale float64, shape ...int) *Param {
		p := NewParam(name, shape...)
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(rng.NormFloat64() * scale)
		}
		return p
	}
	emb := mk("emb", 1, vocab, d)
	lnG, lnB := mk("ln.g", 0.1, d), mk("ln.b", 0.1, d)
	qkvW := mk("qkv.w", 0.3, (nh+2*nkv)*hd, d)
	proj := mk("proj.w", 0.3, d, nh*hd)
	fc, fcB := mk("fc.w", 0.3, 4*d, d), mk("fc.b", 0.1, 4*d)
	fc2 := mk("fc2.w", 0.3, d, 4*d)
	out := mk("out.w", 0.3, vocab, d)
	params := []*Param{emb, lnG, lnB, qkvW, proj, fc, fcB, fc2, out}
	for i := range lnG.Value.Data {
		lnG.Value.Data[i] += 1
	}
	ids := make([]int, batch*seq)
	for i := range ids {
		ids[i] = rng.IntN(vocab)
	}
	targets := append(ids[1:], -1)
	rope := NewRoPE(hd, seq, 10000)
	opt := NewAdamW(0.9, 0.95, 1e-8, 0.1)
	var losses []float32
	for s := 0; s < steps; s++ {
		ZeroGrads(params)
		tp := newTape()
		x := tp.Embedding(tp.Param(emb), ids)
		h := tp.LayerNorm(x, tp.Param(lnG), tp.Param(lnB), 1e-5)
		att := tp.CausalSelfAttention(tp.Linear(h, tp.Param(qkvW), nil), batch, seq, nh, nkv, hd, rope)
		x = tp.Add(x, tp.Linear(att, tp.Param(proj), nil))
		x = tp.Add(x, tp.Linear(tp.GELU(tp.Linear(x, tp.Param(fc), tp.Param(fcB))), tp.Param(fc2), nil))
		logits := tp.Linear(x, tp.Param(out), nil)
		loss := tp.CrossEntropy(logits, targets)
		tp.GradOf(loss).Data[0] = 1
		tp.Backward()
		ClipGradNorm(params, 1)
		opt.Step(params, 0.01)
		losses = append(losses, loss.Value.Data[0])
	}
	return params, losses
}

func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	p1, l1 := tinySteps(4)
	runtime.GOMAXPROCS(2)
	p2, l2 := tinySteps(4)
	if !(l1[len(l1)-1] < l1[0]) {
		t.Fatalf("loss did not fall over 4 steps: %v", l1)
	}
	for i := range l1 {
		if math.Float32bits(l1[i]) != math.Float32bits(l2[i]) {
			t.Fatalf("step %d loss differs: GOMAXPROCS=1 %v, =2 %v", i, l1[i], l2[i])
		}
	}
	for i := range p1 {
		for j := range p1[i].Value.Data {
			if math.Float32bits(p1[i].Value.Data[j]) != math.Float32bits(p2[i].Value.Data[j]) {
				t.Fatalf("param %s[%d] differs between GOMAXPROCS=1 and 2", p1[i].Name, j)
			}
		}
	}
}

func TestRoPEApplyMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, hd := range []int{2, 8, 5} {
		r := NewRoPE(hd, 4, 10000)
		for _, pos := range []int{0, 3, 7} { // 7 is past the table
			v := randSlice(rng, hd)
			orig := append([]float32(nil), v...)
			ref := refRoPEOdd(to64(v), pos)
			r.Apply(v, pos)
			for i := range v {
				if math.Abs(float64(v[i])-ref[i]) > 1e-5 {
					t.Fatalf("headDim %d pos %d: component %d = %v, reference %v", hd, pos, i, v[i], ref[i])
				}
			}
			r.unapply(v, pos) // the backward rotation undoes the forward one
			for i := range v {
				if math.Abs(float64(v[i]-orig[i])) > 1e-5 {
					t.Fatalf("headDim %d pos %d: unapply(Apply(v))[%d] = %v, want %v", hd, pos, i, v[i], orig[i])
				}
			}
		}
	}
}

// refRoPEOdd rotates like refRoPE but also handles an odd length: pairs (i, i+h) with h = len/2, the
// angle exponent using the full head size, and the last component of an odd vector untouched.
func refRoPEOdd(v []float64, pos int) []float64 {
	d, half := len(v), len(v)/2
	for i := 0; i < half; i++ {
		a := float64(pos) * math.Pow(10000, -2*float64(i)/float64(d))
		x1, x2 := v[i], v[i+half]
		v[i] = x1*math.Cos(a) - x2*math.Sin(a)
		v[i+half] = x2*math.Cos(a) + x1*math.Sin(a)
	}
	return v
}

func TestAttentionLargeAgainstReference(t *testing.T) {
	// Enough (sequence, head) tasks for several parallel chunks, GQA and RoPE.
	rng := rand.New(rand.NewPCG(11, 12))
	batch, seq, nh, nkv, hd := 3, 17, 6, 2, 8
	qkv := randTensor(rng, 1, batch*seq, (nh+2*nkv)*hd)
	tp := NewTape()
	got := tp.CausalSelfAttention(tp.Constant(qkv), batch, seq, nh, nkv, hd, NewRoPE(hd, seq, 500))
	want := refAttention(to64(qkv.Data), batch, seq, nh, nkv, hd, 500)
	for i, w := range want {
		if math.Abs(float64(got.Value.Data[i])-w) > 1e-5*(1+math.Abs(w)) {
			t.Fatalf("element %d = %v, reference %v", i, got.Value.Data[i], w)
		}
	}
}
