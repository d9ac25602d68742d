package policy

import (
	"math"
	"testing"

	"grit/tensor"
)

// Llama 3 frequency scaling against values derived by hand: theta=10000 and headDim=8 give base
// frequencies 1, 0.1, 0.01, 0.001 (wavelengths 6.28, 62.8, 628, 6283); with L=1024, low=1, high=4 the
// bands are w < 256 kept, w > 1024 divided by factor 8, and 628 smoothed with
// s = (1024/628.32 - 1)/3 = 0.2099155, f' = (1-s)*0.01/8 + s*0.01 = 0.003086761.
func TestLlama3InvFreqByHand(t *testing.T) {
	s := &RoPEScaling{Type: RoPEScalingLlama3, Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositions: 1024}
	got := s.InvFreq(10000, 8)
	want := []float64{1, 0.1, 0.003086761, 0.001 / 8}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9*math.Max(1, 1/want[i]) {
			t.Errorf("InvFreq[%d] = %.10g, want %.10g", i, got[i], want[i])
		}
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := *s
	bad.Type = "yarn"
	if err := bad.Validate(); err == nil {
		t.Fatal("an unsupported rope scaling type must be rejected")
	}
}

// Explicit frequencies equal to theta^(-2i/d) reproduce NewRoPE exactly, so only the frequencies differ
// between scaled and unscaled RoPE.
func TestRoPEFreqsMatchesNewRoPE(t *testing.T) {
	const hd, theta = 8, 10000.0
	freqs := make([]float64, hd/2)
	for i := range freqs {
		freqs[i] = math.Pow(theta, -2*float64(i)/hd)
	}
	a, b := tensor.NewRoPE(hd, 16, theta), tensor.NewRoPEFreqs(freqs, 4)
	for _, pos := range []int{0, 3, 15, 40} { // 40: beyond both tables
		va, vb := []float32{1, 2, 3, 4, 5, 6, 7, 8}, []float32{1, 2, 3, 4, 5, 6, 7, 8}
		a.Apply(va, pos)
		b.Apply(vb, pos)
		for i := range va {
			if va[i] != vb[i] {
				t.Fatalf("pos %d component %d: NewRoPE %v, NewRoPEFreqs %v", pos, i, va[i], vb[i])
			}
		}
	}
}
