package trainers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"grit/rl"
)

// rolloutMetrics summarises the step's sampled rollouts (all of them, before any filtering):
// reward mean / std, each component's mean, std and missing count, lengths, tool calls, and
// accuracy = correct / graded over the samples that have a reward (samples_excluded counts the
// others: no verdict could be computed, so they are neither right nor wrong).
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
			if s.Correct {
				correct++
			}
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
		length += float64(s.NumTokens)
		if s.Truncated {
			trunc++
		}
		tools += float64(s.ToolCalls)
	}
	m[keyRewardMean], m[keyRewardStd] = meanPopulationStd(rs)
	for name, v := range comps {
		m[rewardComponentKey(name, "mean")], m[rewardComponentKey(name, "std")] = meanPopulationStd(v)
		m[rewardComponentKey(name, "missing")] = missing[name]
	}
	m[keySamples] = n
	m[keySamplesExcluded] = excluded
	m[keyAccuracy] = correct / (n - excluded) // NaN (null) when every sample was excluded
	m[keyCompletionLenMean] = length / n
	m[keyTruncatedFrac] = trunc / n
	m[keyToolCallsMean] = tools / n
}

// meanPopulationStd is the mean and the population standard deviation sqrt(sum (x - mean)^2 / n)
// (NaN for no values).
func meanPopulationStd(v []float64) (mean, std float64) {
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

// checkEmptyStep counts steps in which every sampled completion was excluded (no reward component
// computed) and warns on the log at once; the loop stops after max_empty_steps of them in a row.
func (t *trainer) checkEmptyStep(step int, m Metrics) {
	n, sampled := m[keySamples]
	if !sampled || n == 0 || m[keySamplesExcluded] < n {
		t.st.EmptyInARow = 0
		return
	}
	t.st.EmptyInARow++
	var missing []string
	for k, v := range m {
		if name, ok := strings.CutPrefix(k, "reward/"); ok && strings.HasSuffix(name, "_missing") && v > 0 {
			missing = append(missing, fmt.Sprintf("%s %d", strings.TrimSuffix(name, "_missing"), int(v)))
		}
	}
	sort.Strings(missing)
	t.logf("warning: step %d: every sample was excluded (%d of %d, %d in a row; max_empty_steps %d): no reward component was computed (missing: %s)",
		step+1, int(n), int(n), t.st.EmptyInARow, t.cfg.MaxEmptySteps, strings.Join(missing, ", "))
}
