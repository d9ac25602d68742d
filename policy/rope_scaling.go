package policy

import (
	"fmt"
	"math"
)

// RoPEScalingLlama3 is the rope_scaling type of Llama 3.1 and later.
const RoPEScalingLlama3 = "llama3"

// RoPEScaling rescales RoPE's frequencies for contexts longer than the model was pretrained on.
// Only Llama 3's scheme is implemented: with base frequencies f_i = theta^(-2i/headDim), wavelength
// w_i = 2π/f_i, L = OriginalMaxPositions, lo = L/LowFreqFactor and hi = L/HighFreqFactor,
//
//	f'_i = f_i                                 if w_i < hi        (high frequencies kept)
//	f'_i = f_i / Factor                        if w_i > lo        (low frequencies slowed down)
//	f'_i = (1-s) f_i/Factor + s f_i,  s = (L/w_i - LowFreqFactor) / (HighFreqFactor - LowFreqFactor)   otherwise.
type RoPEScaling struct {
	Type                 string  `json:"type"`                             // "llama3"
	Factor               float64 `json:"factor"`                           // how much the low frequencies are slowed down
	LowFreqFactor        float64 `json:"low_freq_factor"`                  // wavelengths above L/LowFreqFactor are scaled fully
	HighFreqFactor       float64 `json:"high_freq_factor"`                 // wavelengths below L/HighFreqFactor are kept
	OriginalMaxPositions int     `json:"original_max_position_embeddings"` // L: the pretraining context
}

// Validate reports a scaling this package cannot apply.
func (s *RoPEScaling) Validate() error {
	if s.Type != RoPEScalingLlama3 {
		return fmt.Errorf("policy config: RoPEScaling.Type %q is not supported (only %q)", s.Type, RoPEScalingLlama3)
	}
	if !(s.Factor > 0) || !(s.LowFreqFactor > 0) || !(s.HighFreqFactor > s.LowFreqFactor) || s.OriginalMaxPositions <= 0 {
		return fmt.Errorf("policy config: llama3 RoPEScaling needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0, got %+v", *s)
	}
	return nil
}

// InvFreq returns the scaled inverse frequencies f'_i for a head of headDim components.
func (s *RoPEScaling) InvFreq(theta float64, headDim int) []float64 {
	L := float64(s.OriginalMaxPositions)
	lo, hi := L/s.LowFreqFactor, L/s.HighFreqFactor
	out := make([]float64, headDim/2)
	for i := range out {
		f := 1 / math.Pow(theta, 2*float64(i)/float64(headDim))
		w := 2 * math.Pi / f
		switch {
		case w < hi:
			out[i] = f
		case w > lo:
			out[i] = f / s.Factor
		default:
			sm := (L/w - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
			out[i] = (1-sm)*f/s.Factor + sm*f
		}
	}
	return out
}
