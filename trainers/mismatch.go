package trainers

import "math"

// logpMismatch accumulates the train/sample log-prob mismatch of asynchronous sampling
// (workers.max_staleness > 0): over every generated token t of the rows,
//
//	sum |logp_train(t) - logp_sample(t)|  and the token count,
//
// where logp_sample is the log-prob the sampler recorded (the behaviour policy, pi_old of the
// ratio) and logp_train the learner's forward pass at the mini-batch's update. Only the first
// epoch counts: later epochs measure the learner's own updates, not the sampling lag.
type logpMismatch struct {
	sum    float64
	tokens int
}

// add takes one mini-batch: train and sample are [row][token] with equal shapes.
func (a *logpMismatch) add(train, sample [][]float32) {
	for b := range sample {
		for t := range sample[b] {
			a.sum += math.Abs(float64(train[b][t]) - float64(sample[b][t]))
			a.tokens++
		}
	}
}

// write sets workers/logp_mismatch (the mean) when any token was seen.
func (a *logpMismatch) write(m Metrics) {
	if a.tokens > 0 {
		m[keyWorkerLogpMismatch] = a.sum / float64(a.tokens)
	}
}
