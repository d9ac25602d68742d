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

// topEntropyMask keeps, among the tokens with mask != 0, the fraction with the highest entropy:
// k = ceil(fraction * n) tokens, the threshold being the k-th largest entropy, and every token at or
// above it kept (ties keep a few more). It returns a new mask; PolicyLoss has checked the shapes.
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
