package trainers

import (
	"math"

	"grit/rl"
)

// rolloutMetrics summarises the step's sampled rollouts (all of them, before any filtering):
// reward mean / std, each component's mean, std and missing count, accuracy, lengths, tool calls.
func rolloutMetrics(samples []rl.Sample, m Metrics) {
	n := float64(len(samples))
	if n == 0 {
		return
	}
	var rs []float64
	comps := map[string][]float64{}
	missing := map[string]float64{}
	var correct, length, trunc, tools, excluded float64
	for i := range samples {
		s := &samples[i]
		if s.RewardOK {
			rs = append(rs, s.Reward)
		} else {
			excluded++
		}
		for _, c := range s.Components {
			if !c.OK || math.IsNaN(c.Value) || math.IsInf(c.Value, 0) {
				missing[c.Name]++
				if _, seen := comps[c.Name]; !seen {
					comps[c.Name] = nil // the name still appears in the metrics
				}
				continue
			}
			comps[c.Name] = append(comps[c.Name], c.Value)
		}
		if s.Correct {
			correct++
		}
		length += float64(s.NumTokens)
		if s.Truncated {
			trunc++
		}
		tools += float64(s.ToolCalls)
	}
	m["reward_mean"], m["reward_std"] = meanStd(rs)
	for name, v := range comps {
		m["reward/"+name+"_mean"], m["reward/"+name+"_std"] = meanStd(v)
		m["reward/"+name+"_missing"] = missing[name]
	}
	m["samples"] = n
	m["samples_excluded"] = excluded
	m["accuracy"] = correct / n
	m["completion_len_mean"] = length / n
	m["truncated_frac"] = trunc / n
	m["tool_calls_mean"] = tools / n
}

// meanStd is the mean and population standard deviation (NaN for no values).
func meanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)))
}
