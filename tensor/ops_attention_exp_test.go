package tensor

import (
	"math"
	"testing"
)

// vek's SIMD exp returns NaN or garbage below about -88; the softmax must not pass such
// arguments to it (a padded row's scores can sit hundreds below its max).
func TestSoftmaxWithVeryNegativeScores(t *testing.T) {
	x := []float32{0, -50, -89, -90, -100, -150, -1000, -1e30, 3}
	Softmax(x)
	sum := 0.0
	for i, v := range x {
		if math.IsNaN(float64(v)) || v < 0 || v > 1 {
			t.Fatalf("softmax[%d] = %v", i, v)
		}
		sum += float64(v)
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Fatalf("softmax sums to %v", sum)
	}
	want := 1 / (1 + math.Exp(-3) + math.Exp(-53))
	if math.Abs(float64(x[8])-want) > 1e-6 {
		t.Fatalf("largest probability %v, want %v", x[8], want)
	}
}
