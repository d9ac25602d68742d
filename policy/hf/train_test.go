package hf

import (
	"path/filepath"
	"testing"

	"grit/policy"
	"grit/tensor"
)

// A loaded checkpoint trains through the Policy interface: Forward/Backward reach every parameter
// (q/k norms and q/k/v biases included) and a few AdamW steps of supervised fine-tuning on one
// sequence lower its loss.
func TestLoadedModelsTrain(t *testing.T) {
	g := readGolden(t)
	for _, name := range fixtureNames(g) {
		t.Run(name, func(t *testing.T) {
			p, err := policy.LoadPolicy(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			ids := g[name].Tokens[1]
			seqs := []policy.Sequence{{Prompt: ids[:1], Completion: ids[1:]}}
			loss := func() float64 {
				lp, err := p.LogProbs(seqs)
				if err != nil {
					t.Fatal(err)
				}
				s := 0.0
				for _, v := range lp[0] {
					s -= float64(v)
				}
				return s / float64(len(lp[0]))
			}
			before := loss()
			opt := tensor.NewAdamW(0.9, 0.95, 1e-8, 0)
			for step := 0; step < 5; step++ {
				p.ZeroGrad()
				pass, err := p.Forward(seqs)
				if err != nil {
					t.Fatal(err)
				}
				d := make([]float32, len(ids)-1)
				for i := range d {
					d[i] = -1 / float32(len(d))
				}
				if err := pass.Backward([][]float32{d}, nil); err != nil {
					t.Fatal(err)
				}
				if step == 0 {
					for _, q := range p.Params() {
						nonzero := false
						for _, v := range q.Grad.Data {
							nonzero = nonzero || v != 0
						}
						if !nonzero {
							t.Fatalf("parameter %s got no gradient", q.Name)
						}
					}
				}
				opt.Step(p.Params(), 1e-2)
			}
			if after := loss(); !(after < before-0.1) {
				t.Fatalf("5 SFT steps moved the loss from %.4f to %.4f", before, after)
			}
		})
	}
}
