package rl

// groupIndex returns the sample indices of each group in order of first appearance.
func groupIndex(samples []Sample) [][]int {
	pos := map[int]int{}
	var groups [][]int
	for i := range samples {
		g, ok := pos[samples[i].Group]
		if !ok {
			g = len(groups)
			pos[samples[i].Group] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// AssignAdvantages groups samples by Sample.Group and fills Advantage and GroupAccuracy (and, for
// the hdpo estimator, AdvantageEff and EffQualifies from Reward and RewardEff). A sample with
// RewardOK false is excluded from its group's statistics and gets advantage 0 (see GroupAdvantages).
// GroupAccuracy is the fraction of Correct samples in the group.
func AssignAdvantages(samples []Sample, cfg AdvantageConfig) (AdvantageStats, error) {
	var st AdvantageStats
	if err := cfg.validate(); err != nil {
		return st, err
	}
	idx := groupIndex(samples)
	rewards := make([][]float64, len(idx))
	valid := make([][]bool, len(idx))
	for g, members := range idx {
		for _, i := range members {
			rewards[g] = append(rewards[g], samples[i].Reward)
			valid[g] = append(valid[g], samples[i].RewardOK)
		}
	}
	adv, st, err := GroupAdvantages(rewards, valid, cfg)
	if err != nil {
		return st, err
	}
	for g, members := range idx {
		correct := make([]bool, len(members))
		eff := make([]float64, len(members))
		nc := 0
		for j, i := range members {
			samples[i].Advantage = adv[g][j]
			correct[j] = samples[i].Correct
			eff[j] = samples[i].RewardEff
			if correct[j] {
				nc++
			}
		}
		for _, i := range members {
			samples[i].GroupAccuracy = float64(nc) / float64(len(members))
			samples[i].AdvantageEff, samples[i].EffQualifies = 0, false
		}
		if cfg.Estimator != EstimatorHDPO {
			continue
		}
		_, aEff, q, err := HDPOGroupAdvantages(rewards[g], eff, correct, valid[g], cfg.Eps, cfg.EffEps)
		if err != nil {
			return st, err
		}
		for j, i := range members {
			samples[i].AdvantageEff = aEff[j]
			samples[i].EffQualifies = q[j]
		}
	}
	return st, nil
}
