package rl

import (
	"fmt"
	"grit/plugins"
	"math"
	"slices"
	"strings"

	"grit/rewards"
)

// RewardTotal is the weighted sum of a sample's reward components.
type RewardTotal struct {
	Value   float64  // r = sum_k w_k r_k over the present components
	OK      bool     // false when no component is present: the sample is excluded from group statistics
	Missing []string // components that failed or were NaN/Inf, then weighted names that were absent
}

// TotalReward computes r = sum_k w_k r_k (docs/algorithms.md, "Rewards").
//
// The weight rule (reward_weights): w_k = weights[k] for a component the map names, and w_k = 1
// for every component it does not name, so weighting one component never drops the others (a nil
// or empty map weighs everything 1). A component is missing when it failed (OK false), its value
// is NaN or infinite, or it is named in weights but absent; a missing component is left out of
// the sum and listed in Missing, never counted as 0. If no component is present, OK is false.
// Names that the env never produces are a config error caught before training
// (CheckRewardWeights).
func TotalReward(components []rewards.Component, weights map[string]float64) RewardTotal {
	var out RewardTotal
	present := 0
	seen := make(map[string]bool, len(components))
	for _, c := range components {
		w, named := weights[c.Name]
		if !named {
			w = 1
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

// CheckRewardWeights reports the first reward_weights name (in sorted order) that is not one of
// components, the reward components the env produces: such a weight would never apply (a typo
// such as "corect"), so it is a config error that lists the valid names.
func CheckRewardWeights(weights map[string]float64, components []string) error {
	for _, name := range sortedKeys(weights) {
		if slices.Contains(components, name) {
			continue
		}
		hint := ""
		if near := closestName(name, components); near != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", near)
		}
		return fmt.Errorf("reward_weights.%s: the env produces no reward component %q%s; its components are: %s",
			name, name, hint, strings.Join(components, ", "))
	}
	return nil
}

// closestName is the candidate within edit distance 2 of name (the first of the nearest), or "".
func closestName(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := plugins.EditDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
