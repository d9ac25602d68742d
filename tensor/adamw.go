package tensor

import (
	"fmt"
	"math"
	"slices"
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019), as in torch.optim.AdamW.
// For step t = Steps (after increment), gradient g and learning rate lr:
//
//	theta <- theta - lr * wd * theta                     (only params with >= 2 dims: weights, embeddings)
//	m <- b1 m + (1-b1) g,   v <- b2 v + (1-b2) g^2
//	theta <- theta - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
//
// Moments are kept per parameter name, so params must have unique names.
type AdamW struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Steps                              int // optimizer steps taken

	m, v map[string]*Tensor
}

// NewAdamW returns an optimizer with no steps taken.
func NewAdamW(beta1, beta2, eps, weightDecay float32) *AdamW {
	return &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: weightDecay,
		m: map[string]*Tensor{}, v: map[string]*Tensor{}}
}

// Step applies one update with learning rate lr (also stored in o.LR) to every param from its Grad.
func (o *AdamW) Step(params []*Param, lr float32) {
	o.Steps++
	o.LR = lr
	t := float64(o.Steps)
	bc1 := float32(1 - math.Pow(float64(o.Beta1), t))
	bc2 := float32(1 - math.Pow(float64(o.Beta2), t))
	b1, b2, eps := o.Beta1, o.Beta2, o.Eps
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		m, v := o.moments(p)
		decay := float32(1)
		if len(p.Value.Shape) >= 2 {
			decay = 1 - lr*o.WeightDecay
		}
		k := adamwCoef{b1: b1, c1: 1 - b1, b2: b2, c2: 1 - b2, bc1: bc1, bc2: bc2, lr: lr, decay: decay, eps: eps}
		w, g, md, vd := p.Value.Data, p.Grad.Data, m.Data, v.Data
		elementwise(len(w), func(lo, hi int) { adamwUpdate(w[lo:hi], g[lo:hi], md[lo:hi], vd[lo:hi], &k) })
	}
}

func (o *AdamW) moments(p *Param) (m, v *Tensor) {
	if o.m == nil {
		o.m, o.v = map[string]*Tensor{}, map[string]*Tensor{}
	}
	m, v = o.m[p.Name], o.v[p.Name]
	if m == nil || len(m.Data) != len(p.Value.Data) {
		m, v = New(p.Value.Shape...), New(p.Value.Shape...)
		o.m[p.Name], o.v[p.Name] = m, v
	}
	return m, v
}

// State returns the optimizer state for checkpoints: "adam.m.<name>", "adam.v.<name>" per param and
// "adam.steps" ([1], the step count as float32, exact below 2^24). The tensors alias the live state.
func (o *AdamW) State() map[string]*Tensor {
	st := map[string]*Tensor{}
	for name, m := range o.m {
		st["adam.m."+name] = m
		st["adam.v."+name] = o.v[name]
	}
	st["adam.steps"] = &Tensor{Shape: []int{1}, Data: []float32{float32(o.Steps)}}
	return st
}

// LoadState restores State's tensors (copied) for exactly these params. It fails, naming the tensor,
// when one is missing or its shape differs from the param's, and changes nothing in that case.
func (o *AdamW) LoadState(st map[string]*Tensor, params []*Param) error {
	steps, ok := st["adam.steps"]
	if !ok || len(steps.Data) != 1 {
		return fmt.Errorf("optimizer state: tensor \"adam.steps\" is missing or not of shape [1]; the checkpoint was not written by AdamW.State")
	}
	s := float64(steps.Data[0])
	if s < 0 || s != math.Trunc(s) || math.IsInf(s, 0) {
		return fmt.Errorf("optimizer state: \"adam.steps\" = %v is not a non-negative whole number", steps.Data[0])
	}
	m, v := map[string]*Tensor{}, map[string]*Tensor{}
	for _, p := range params {
		for _, kind := range []string{"m", "v"} {
			key := "adam." + kind + "." + p.Name
			t, ok := st[key]
			if !ok {
				return fmt.Errorf("optimizer state: tensor %q is missing (param %q has no saved moment); the checkpoint is from a different model", key, p.Name)
			}
			if !slices.Equal(t.Shape, p.Value.Shape) || len(t.Data) != len(p.Value.Data) {
				return fmt.Errorf("optimizer state: tensor %q has shape %s, param %q has %s", key, shapeStr(t), p.Name, shapeStr(p.Value))
			}
			c := New(t.Shape...)
			copy(c.Data, t.Data)
			if kind == "m" {
				m[p.Name] = c
			} else {
				v[p.Name] = c
			}
		}
	}
	o.m, o.v, o.Steps = m, v, int(s)
	return nil
}
