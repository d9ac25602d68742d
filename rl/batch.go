package rl

import (
	"math"
	"sort"
)

// DropZeroVarianceGroups implements DAPO's dynamic sampling filter: it returns the samples of the
// groups whose valid rewards (RewardOK) are not all equal, keeping their order, and the number of
// groups dropped. A group with fewer than two valid rewards carries no signal and is dropped too.
// The trainer resamples until the batch is full, up to its own bound.
func DropZeroVarianceGroups(samples []Sample) (kept []Sample, dropped int) {
	for _, members := range groupIndex(samples) {
		n, first, varies := 0, 0.0, false
		for _, i := range members {
			s := &samples[i]
			if !s.RewardOK || !finite(s.Reward) {
				continue
			}
			if n == 0 {
				first = s.Reward
			} else if s.Reward != first {
				varies = true
			}
			n++
		}
		if !varies {
			dropped++
			continue
		}
		for _, i := range members {
			kept = append(kept, samples[i])
		}
	}
	return kept, dropped
}

// OverlongPenalty is DAPO's soft overlong shaping for a completion of length n, with maximum length
// maxLen and cache (buffer) length cache:
//
//	0                             if n <= maxLen - cache
//	((maxLen - cache) - n) / cache if maxLen - cache < n <= maxLen
//	-1                            if n > maxLen
//
// It is added to the reward. cache <= 0 gives the hard version (0, then -1 beyond maxLen).
func OverlongPenalty(n, maxLen, cache int) float64 {
	switch {
	case n > maxLen:
		return -1
	case cache <= 0 || n <= maxLen-cache:
		return 0
	}
	return float64((maxLen-cache)-n) / float64(cache)
}

// MaskTruncated sets Masked on every truncated sample (no EOS) and returns how many it masked:
// they leave the loss but stay in the group statistics (call it after AssignAdvantages).
func MaskTruncated(samples []Sample) int {
	n := 0
	for i := range samples {
		if samples[i].Truncated {
			samples[i].Masked = true
			n++
		}
	}
	return n
}

// TopEntropyMask keeps, among the tokens with mask != 0 (mask nil: all tokens), the fraction with
// the highest entropy: k = ceil(fraction * n) tokens, the threshold being the k-th largest entropy,
// and every token at or above it kept (ties keep a few more). It returns a new 0/1 mask.
func TopEntropyMask(entropy [][]float32, mask [][]float32, fraction float64) ([][]float32, error) {
	if mask != nil && len(mask) != len(entropy) {
		return nil, errorf("top-entropy mask: %d mask rows for %d entropy rows", len(mask), len(entropy))
	}
	if !(fraction >= 0 && fraction <= 1) {
		return nil, errorf("top-entropy fraction %g must be in [0, 1]", fraction)
	}
	m := make([][]float64, len(entropy))
	for b := range entropy {
		m[b] = make([]float64, len(entropy[b]))
		for t := range m[b] {
			m[b][t] = 1
			if mask != nil && mask[b] != nil {
				if len(mask[b]) != len(entropy[b]) {
					return nil, errorf("top-entropy mask row %d has %d values for %d tokens", b, len(mask[b]), len(entropy[b]))
				}
				m[b][t] = float64(mask[b][t])
			}
		}
	}
	m = topEntropyMask(entropy, m, fraction)
	out := make([][]float32, len(m))
	for b := range m {
		out[b] = make([]float32, len(m[b]))
		for t, v := range m[b] {
			out[b][t] = float32(v)
		}
	}
	return out, nil
}

func topEntropyMask(entropy [][]float32, mask [][]float64, fraction float64) [][]float64 {
	var hs []float64
	for b := range mask {
		for t, m := range mask[b] {
			if m != 0 {
				hs = append(hs, float64(entropy[b][t]))
			}
		}
	}
	out := make([][]float64, len(mask))
	k := int(math.Ceil(fraction * float64(len(hs))))
	threshold := math.Inf(1)
	if k > 0 {
		sort.Sort(sort.Reverse(sort.Float64Slice(hs)))
		threshold = hs[k-1]
	}
	for b := range mask {
		out[b] = make([]float64, len(mask[b]))
		for t, m := range mask[b] {
			if m != 0 && float64(entropy[b][t]) >= threshold {
				out[b][t] = m
			}
		}
	}
	return out
}
