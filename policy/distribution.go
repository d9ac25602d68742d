package policy

import (
	"math"
	"sort"

	"grit/tensor"
)

// logSoftmaxAt returns log softmax(logits)[token] = logits[token] - log Σ_v exp(logits[v]), with the
// same kernel (tensor.LogSumExp) and rounding as the training op LogSoftmaxGather.
func logSoftmaxAt(logits []float32, token int) float32 {
	return logits[token] - tensor.LogSumExp(logits)
}

// argmax returns the first index of the largest value.
func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// samplingScratch holds per-sequence buffers so sampling allocates nothing per token.
type samplingScratch struct {
	probs []float64
	order []int
	// logZ = tensor.LogSumExp of the logits chooseToken last read, when haveLogZ: at temperature 1
	// without top-k/top-p its mass is the very sum LogSumExp takes (the same exps of logit - max, added
	// in id order in float64), so the log-prob need not recompute it.
	logZ     float32
	haveLogZ bool
}

// logProbOf is logSoftmaxAt(logits, token) for the logits chooseToken just read with s, reusing
// the normaliser chooseToken computed when it is the same number (bit for bit).
func logProbOf(logits []float32, token int, s *samplingScratch) float32 {
	if s.haveLogZ {
		return logits[token] - s.logZ
	}
	return logSoftmaxAt(logits, token)
}

// chooseToken draws the next token from logits given the options and a uniform u in [0,1):
//
//	p_v ∝ exp(logits_v / T), restricted to the TopK largest, then to the smallest prefix (by
//	descending p) whose mass reaches TopP, renormalised; the token is the inverse CDF at u.
//
// Temperature 0 is greedy (argmax). Ties are broken by lower id, so the result is a pure function
// of (logits, options, u).
func chooseToken(logits []float32, temperature float32, topK int, topP float32, u float64, s *samplingScratch) int {
	s.haveLogZ = false
	if temperature <= 0 {
		return argmax(logits)
	}
	v := len(logits)
	if cap(s.probs) < v {
		s.probs = make([]float64, v)
		s.order = make([]int, v)
	}
	probs, order := s.probs[:v], s.order[:v]
	m := logits[argmax(logits)]
	invT := 1 / float64(temperature)
	for i, l := range logits {
		probs[i] = math.Exp(float64(l-m) * invT)
		order[i] = i
	}
	keep := v
	filtered := (topK > 0 && topK < v) || (topP > 0 && topP < 1) // sorted order, maybe fewer ids
	if filtered {
		sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
		if topK > 0 && topK < keep {
			keep = topK
		}
		if topP > 0 && topP < 1 {
			var kept float64
			for _, id := range order[:keep] {
				kept += probs[id]
			}
			var cum float64
			for i, id := range order[:keep] {
				cum += probs[id]
				if cum >= float64(topP)*kept {
					keep = i + 1
					break
				}
			}
		}
		order = order[:keep]
	} else {
		order = order[:v] // identity order: inverse CDF over ids 0..V-1
	}
	var mass float64
	for _, id := range order {
		mass += probs[id]
	}
	// At T = 1 over all ids, mass = Σ_v exp(l_v - m) in id order: LogSumExp's sum. m is the same value
	// as its max (a ±0 max changes no term and no total); a NaN or infinite mass (NaN or +Inf logits)
	// leaves the log-prob to LogSumExp itself.
	if temperature == 1 && !filtered && !math.IsNaN(mass) && !math.IsInf(mass, 0) {
		s.logZ, s.haveLogZ = m+float32(math.Log(mass)), true
	}
	target := u * mass
	var cum float64
	for _, id := range order {
		cum += probs[id]
		if target < cum {
			return id
		}
	}
	return order[len(order)-1] // rounding: u*mass reached the total
}
