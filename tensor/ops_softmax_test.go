package tensor

import (
	"math"
	"testing"
)

// Logits far below the row's max (past where vek's SIMD exp is valid) must give probability 0, not
// NaN: the entropy and its gradient stay finite and match a float64 computation.
func TestLogSoftmaxGatherFarNegativeLogits(t *testing.T) {
	row := []float32{0, -95, 5, -88, 1, 2, 3, 4, -1e4} // 9 wide: SIMD body and scalar tail; vek gives garbage for exp(-89..-103)
	tp := NewTape()
	p := &Param{Name: "logits", Value: &Tensor{Shape: []int{1, len(row)}, Data: row}}
	x := tp.Param(p)
	lp, ent := tp.LogSoftmaxGather(x, []int{2})
	tp.GradOf(ent).Data[0] = 1
	tp.Backward()

	var z float64
	for _, v := range row {
		z += math.Exp(float64(v))
	}
	var h float64
	probs := make([]float64, len(row))
	for j, v := range row {
		probs[j] = math.Exp(float64(v)) / z
		if probs[j] > 0 {
			h -= probs[j] * math.Log(probs[j])
		}
	}
	if d := math.Abs(float64(ent.Value.Data[0]) - h); d > 1e-5 {
		t.Fatalf("entropy %v, float64 %v", ent.Value.Data[0], h)
	}
	if d := math.Abs(float64(lp.Value.Data[0]) - math.Log(probs[2])); d > 1e-5 {
		t.Fatalf("logp %v, float64 %v", lp.Value.Data[0], math.Log(probs[2]))
	}
	for j := range row { // dH/dx_j = -p_j (log p_j + H)
		want := 0.0
		if probs[j] > 0 {
			want = -probs[j] * (math.Log(probs[j]) + h)
		}
		got := float64(p.Grad.Data[j])
		if math.IsNaN(got) || math.Abs(got-want) > 1e-5 {
			t.Fatalf("dH/dx[%d] = %v, float64 %v", j, got, want)
		}
	}
}
