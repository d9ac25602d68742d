package rl

import (
	"math"

	"grit/rewards"
)

// RewardTotal is the weighted sum of a sample's reward components.
type RewardTotal struct {
	Value   float64  // r = sum_k w_k r_k over the present components
	OK      bool     // false when every weighted component is missing: the sample is excluded from group statistics
	Missing []string // weighted components that failed, were NaN/Inf, or were absent
}

// TotalReward computes r = sum_k w_k r_k (docs/algorithms.md, "Rewards").
//
// weights names the components that count; a nil map gives every component weight 1. A component is
// missing when it failed (OK false), its value is NaN or infinite, or it is weighted but absent; a
// missing component is left out of the sum and listed in Missing, never counted as 0. Components
// not named in a non-nil weights map are ignored. If no weighted component is present, OK is false.
func TotalReward(components []rewards.Component, weights map[string]float64) RewardTotal {
	var out RewardTotal
	present := 0
	seen := make(map[string]bool, len(components))
	for _, c := range components {
		w := 1.0
		if weights != nil {
			var ok bool
			if w, ok = weights[c.Name]; !ok {
				continue
			}
		}
		seen[c.Name] = true
		if !c.OK || math.IsNaN(c.Value) || math.IsInf(c.Value, 0) {
			out.Missing = append(out.Missing, c.Name)
			continue
		}
		out.Value += w * c.Value
		present++
	}
	for _, name := range sortedKeys(weights) {
		if !seen[name] {
			out.Missing = append(out.Missing, name)
		}
	}
	out.OK = present > 0
	if !out.OK {
		out.Value = 0
	}
	return out
}
