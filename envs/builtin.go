package envs

import "grit/rewards"

func init() {
	Register("arithmetic", newArithmetic)
	Register("countdown", newCountdown)
	Register("dataset", newDataset)
	Register("correction", newCorrection)
	Register("wordproblems", newWordProblems)
	rewards.Register("countdown", newCountdownReward)
}
