package tensor

import (
	"math"
	"strings"
	"testing"
)

func TestAdamWStepHandComputed(t *testing.T) {
	w := &Param{Name: "w", Value: &Tensor{Shape: []int{1, 2}, Data: []float32{1, -2}}, Grad: &Tensor{Shape: []int{1, 2}, Data: []float32{0.5, -0.25}}}
	b := &Param{Name: "b", Value: &Tensor{Shape: []int{1}, Data: []float32{3}}, Grad: &Tensor{Shape: []int{1}, Data: []float32{2}}}
	opt := NewAdamW(0.9, 0.999, 1e-8, 0.01)
	opt.Step([]*Param{w, b}, 0.1)
	// Step 1: mhat = g, vhat = g^2, so the Adam update is lr*sign(g); weights also decay by lr*wd.
	// w0 = 1*(1-0.001) - 0.1 = 0.899; w1 = -2*(0.999) + 0.1 = -1.898; b (1-D, no decay) = 3 - 0.1 = 2.9.
	for i, want := range []float64{0.899, -1.898} {
		if math.Abs(float64(w.Value.Data[i])-want) > 1e-6 {
			t.Fatalf("after step 1, w[%d] = %v, want %v", i, w.Value.Data[i], want)
		}
	}
	if math.Abs(float64(b.Value.Data[0])-2.9) > 1e-6 {
		t.Fatalf("after step 1, b = %v, want 2.9 (no decay on 1-D params)", b.Value.Data[0])
	}
	// Step 2 on b with g = -1: m = 0.9*0.2 + 0.1*(-1) = 0.08, v = 0.999*0.004 + 0.001*1 = 0.004996,
	// mhat = 0.08/0.19, vhat = 0.004996/0.001999; b = 2.9 - 0.1*mhat/(sqrt(vhat)+1e-8).
	b.Grad.Data[0] = -1
	w.Grad.Data[0], w.Grad.Data[1] = 0, 0
	opt.Step([]*Param{w, b}, 0.1)
	want := 2.9 - 0.1*(0.08/0.19)/(math.Sqrt(0.004996/0.001999)+1e-8)
	if math.Abs(float64(b.Value.Data[0])-want) > 1e-5 {
		t.Fatalf("after step 2, b = %v, want %v", b.Value.Data[0], want)
	}
	if opt.Steps != 2 || opt.LR != 0.1 {
		t.Fatalf("Steps = %d, LR = %v; want 2 and 0.1", opt.Steps, opt.LR)
	}
}

func TestAdamWStateRoundTrip(t *testing.T) {
	mk := func() []*Param {
		p := NewParam("layer.weight", 2, 3)
		q := NewParam("layer.bias", 3)
		for i := range p.Value.Data {
			p.Value.Data[i], p.Grad.Data[i] = float32(i), float32(i)-2.5
		}
		for i := range q.Value.Data {
			q.Grad.Data[i] = float32(i) + 1
		}
		return []*Param{p, q}
	}
	a, b := mk(), mk()
	optA := NewAdamW(0.9, 0.95, 1e-8, 0.1)
	optA.Step(a, 0.01)
	optB := NewAdamW(0.9, 0.95, 1e-8, 0.1)
	optB.Step(b, 0.01)
	restored := NewAdamW(0.9, 0.95, 1e-8, 0.1)
	if err := restored.LoadState(optA.State(), a); err != nil {
		t.Fatal(err)
	}
	restored.Step(a, 0.01)
	optB.Step(b, 0.01)
	for i := range a {
		for j := range a[i].Value.Data {
			if a[i].Value.Data[j] != b[i].Value.Data[j] {
				t.Fatalf("restored optimizer diverges at %s[%d]", a[i].Name, j)
			}
		}
	}

	st := optA.State()
	delete(st, "adam.v.layer.bias")
	if err := NewAdamW(0.9, 0.95, 1e-8, 0).LoadState(st, a); err == nil || !strings.Contains(err.Error(), "adam.v.layer.bias") {
		t.Fatalf("missing moment: error %v does not name adam.v.layer.bias", err)
	}
	st = optA.State()
	st["adam.m.layer.weight"] = New(3, 2)
	if err := NewAdamW(0.9, 0.95, 1e-8, 0).LoadState(st, a); err == nil || !strings.Contains(err.Error(), "adam.m.layer.weight") {
		t.Fatalf("mis-shaped moment: error %v does not name adam.m.layer.weight", err)
	}
	st = optA.State()
	delete(st, "adam.steps")
	if err := NewAdamW(0.9, 0.95, 1e-8, 0).LoadState(st, a); err == nil || !strings.Contains(err.Error(), "adam.steps") {
		t.Fatalf("missing steps: error %v does not name adam.steps", err)
	}
}

func TestClipGradNorm(t *testing.T) {
	mk := func() []*Param {
		p := NewParam("a", 1, 2)
		p.Grad.Data[0], p.Grad.Data[1] = 3, 0
		q := NewParam("b", 1)
		q.Grad.Data[0] = -4
		return []*Param{p, q}
	}
	ps := mk()
	if n := ClipGradNorm(ps, 1); math.Abs(n-5) > 1e-12 {
		t.Fatalf("norm = %v, want 5", n)
	}
	if math.Abs(float64(ps[0].Grad.Data[0])-0.6) > 1e-6 || math.Abs(float64(ps[1].Grad.Data[0])+0.8) > 1e-6 {
		t.Fatalf("clipped grads = %v %v, want 0.6 and -0.8", ps[0].Grad.Data, ps[1].Grad.Data)
	}
	for _, maxNorm := range []float64{10, 0} {
		ps = mk()
		if n := ClipGradNorm(ps, maxNorm); math.Abs(n-5) > 1e-12 || ps[0].Grad.Data[0] != 3 || ps[1].Grad.Data[0] != -4 {
			t.Fatalf("maxNorm %v: norm %v, grads %v %v; want 5 and untouched", maxNorm, n, ps[0].Grad.Data, ps[1].Grad.Data)
		}
	}
	// Large parameter: several parallel chunks, compared with a float64 serial sum.
	big := NewParam("big", 300, 100)
	var want float64
	for i := range big.Grad.Data {
		big.Grad.Data[i] = float32(math.Sin(float64(i)))
		want += float64(big.Grad.Data[i]) * float64(big.Grad.Data[i])
	}
	if n := ClipGradNorm([]*Param{big}, 0); math.Abs(n-math.Sqrt(want)) > 1e-9*math.Sqrt(want) {
		t.Fatalf("norm of big grad = %v, want %v", n, math.Sqrt(want))
	}
}

func TestGradsFiniteAndZeroGrads(t *testing.T) {
	p := NewParam("p", 2, 2)
	if !GradsFinite([]*Param{p}) {
		t.Fatal("zero grads reported non-finite")
	}
	p.Grad.Data[3] = float32(math.NaN())
	if GradsFinite([]*Param{p}) {
		t.Fatal("NaN grad reported finite")
	}
	p.Grad.Data[3] = float32(math.Inf(-1))
	if GradsFinite([]*Param{p}) {
		t.Fatal("-Inf grad reported finite")
	}
	ZeroGrads([]*Param{p})
	for _, v := range p.Grad.Data {
		if v != 0 {
			t.Fatal("ZeroGrads left a non-zero gradient")
		}
	}
}

func TestSchedules(t *testing.T) {
	cases := []struct {
		s    Schedule
		step int
		want float64
	}{
		{Schedule{Kind: "constant", Base: 0.5}, 0, 0.5},
		{Schedule{Kind: "constant", Base: 0.5, Warmup: 4}, 1, 0.25},
		{Schedule{Kind: "constant", Base: 0.5, Warmup: 4}, 100, 0.5},
		{Schedule{Kind: "linear", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 0, 0.1},
		{Schedule{Kind: "linear", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 9, 1},
		{Schedule{Kind: "linear", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 35, 0.775},
		{Schedule{Kind: "linear", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 110, 0.1},
		{Schedule{Kind: "cosine", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 10, 1},
		{Schedule{Kind: "cosine", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 60, 0.55},
		{Schedule{Kind: "cosine", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 35, 0.1 + 0.9*(1+math.Sqrt(0.5))/2},
		{Schedule{Kind: "cosine", Base: 1, Min: 0.1, Warmup: 10, Total: 110}, 500, 0.1},
	}
	for _, c := range cases {
		if err := c.s.Validate(); err != nil {
			t.Fatalf("%+v: %v", c.s, err)
		}
		if got := c.s.LR(c.step); math.Abs(float64(got)-c.want) > 1e-6 {
			t.Errorf("%+v step %d: lr %v, want %v", c.s, c.step, got, c.want)
		}
	}
	for _, bad := range []Schedule{
		{Kind: "step", Base: 1, Total: 10},
		{Kind: "linear", Base: 0, Total: 10},
		{Kind: "linear", Base: 1, Min: 2, Total: 10},
		{Kind: "cosine", Base: 1, Warmup: 10, Total: 10},
		{Kind: "constant", Base: 1, Warmup: -1},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v: Validate accepted an invalid schedule", bad)
		}
	}
}
