package tensor

import "math"

// ZeroGrads sets every param's gradient to zero (allocating it if nil).
func ZeroGrads(params []*Param) {
	for _, p := range params {
		if p.Grad == nil || len(p.Grad.Data) != len(p.Value.Data) {
			p.Grad = New(p.Value.Shape...)
			continue
		}
		clear(p.Grad.Data)
	}
}

// ClipGradNorm computes the global L2 norm of all gradients, sqrt(sum_p sum_i g_pi^2), in float64 in a
// fixed order (params in order, each split into fixed chunks summed in order), and if it exceeds
// maxNorm scales every gradient by maxNorm / (norm + 1e-6) (as torch.nn.utils.clip_grad_norm_).
// It returns the norm before clipping. maxNorm <= 0 disables clipping; a non-finite norm leaves the
// gradients untouched (check GradsFinite and skip the step).
func ClipGradNorm(params []*Param, maxNorm float64) float64 {
	var total float64
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		g := p.Grad.Data
		var partial [maxChunks]float64
		elementwise(len(g), func(lo, hi int) {
			var s float64
			for _, v := range g[lo:hi] {
				s += float64(v) * float64(v)
			}
			partial[chunkIndex(len(g), 4096, lo)] = s
		})
		for c := 0; c < numChunks(len(g), 4096); c++ {
			total += partial[c]
		}
	}
	norm := math.Sqrt(total)
	if maxNorm <= 0 || !(norm > maxNorm) || math.IsInf(norm, 0) || math.IsNaN(norm) {
		return norm
	}
	scale := float32(maxNorm / (norm + 1e-6))
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		g := p.Grad.Data
		elementwise(len(g), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				g[i] *= scale
			}
		})
	}
	return norm
}

// numChunks and chunkIndex mirror parallelGrain's partition.
func numChunks(n, grain int) int {
	if n <= 0 {
		return 0
	}
	return min((n+grain-1)/grain, maxChunks)
}

func chunkIndex(n, grain, lo int) int {
	c := numChunks(n, grain)
	for i := 0; i < c; i++ {
		if i*n/c == lo {
			return i
		}
	}
	return 0
}

// GradsFinite reports whether every gradient element is finite (no NaN or Inf).
func GradsFinite(params []*Param) bool {
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		for _, v := range p.Grad.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return false
			}
		}
	}
	return true
}
