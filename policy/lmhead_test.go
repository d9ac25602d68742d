package policy

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"grit/tensor"
)

// TestFusedHeadMatchesUnfused runs a model whose vocabulary takes the fused head (tied embeddings,
// so the head's gradient adds to the embedding's) and compares Forward/Backward with the same model
// scored through Linear + LogSoftmaxGather: log-probs and entropies bit-identical, every parameter
// gradient equal to 1e-5 of its largest element; and the fused gradients are the same bits on 1 and
// 2 cores.
func TestFusedHeadMatchesUnfused(t *testing.T) {
	cfg := testConfigs()["modern"]
	cfg.Vocab = fusedHeadMinVocab + 5
	m := newTestModel(t, cfg, 4)
	rng := rand.New(rand.NewPCG(8, 9))
	tok := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = rng.IntN(cfg.Vocab)
		}
		return out
	}
	seqs := []Sequence{{Prompt: tok(5), Completion: tok(9)}, {Prompt: tok(1), Completion: tok(20)}, {Prompt: tok(12), Completion: tok(3)}}
	dLogp, dEnt := make([][]float32, len(seqs)), make([][]float32, len(seqs))
	for b, s := range seqs {
		dLogp[b], dEnt[b] = make([]float32, len(s.Completion)), make([]float32, len(s.Completion))
		for i := range dLogp[b] {
			dLogp[b][i], dEnt[b][i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
	}
	snapshot := func() [][]float32 {
		var g [][]float32
		for _, p := range m.Params() {
			g = append(g, append([]float32(nil), p.Grad.Data...))
		}
		return g
	}

	runFused := func(procs int) ([][]float32, *Pass) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m.ZeroGrad()
		pass, err := m.Forward(seqs)
		if err != nil {
			t.Fatal(err)
		}
		if err := pass.Backward(dLogp, dEnt); err != nil {
			t.Fatal(err)
		}
		return snapshot(), pass
	}
	fused1, _ := runFused(1)
	fused, pass := runFused(2)
	for k, p := range m.Params() { // the fused path does not depend on the number of cores
		for j := range fused[k] {
			if math.Float32bits(fused[k][j]) != math.Float32bits(fused1[k][j]) {
				t.Fatalf("%s[%d]: gradient %v with 2 cores, %v with 1", p.Name, j, fused[k][j], fused1[k][j])
			}
		}
	}

	m.ZeroGrad()
	pb, err := newPaddedBatch(seqs, cfg, m.tok.PAD())
	if err != nil {
		t.Fatal(err)
	}
	tm := &tapeModel{m: m, tp: tensor.NewTape(), vars: map[*tensor.Param]*tensor.Var{}}
	logits := tm.tp.Linear(tm.hidden(pb.inputs, pb.B, pb.T), tm.p(m.head), nil)
	logp, ent := tm.tp.LogSoftmaxGather(logits, pb.targets)
	gl, ge := tm.tp.GradOf(logp), tm.tp.GradOf(ent)
	for b, rows := range pb.rows {
		for i, r := range rows {
			if got, want := pass.LogProbs[b][i], logp.Value.Data[r]; got != want {
				t.Fatalf("seq %d token %d: fused logp %v, unfused %v", b, i, got, want)
			}
			if got, want := pass.Entropy[b][i], ent.Value.Data[r]; got != want {
				t.Fatalf("seq %d token %d: fused entropy %v, unfused %v", b, i, got, want)
			}
			gl.Data[r], ge.Data[r] = dLogp[b][i], dEnt[b][i]
		}
	}
	tm.tp.Backward()
	unfused := snapshot()

	for k, p := range m.Params() {
		scale := 0.0
		for _, v := range unfused[k] {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		if scale == 0 {
			t.Fatalf("%s: unfused gradient is zero", p.Name)
		}
		for j, want := range unfused[k] {
			if d := math.Abs(float64(fused[k][j] - want)); d > 1e-5*scale {
				t.Fatalf("%s[%d]: fused gradient %v, unfused %v (scale %v)", p.Name, j, fused[k][j], want, scale)
			}
		}
	}
}
