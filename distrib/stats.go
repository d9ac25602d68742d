package distrib

import (
	"sort"

	"grit/trainers"
)

// stepStats counts what happened on the wire during one step (all its rounds).
type stepStats struct {
	step                                            int
	tasks, redelivered, duplicates, rejected, local int
	lagMax, lagSum, groups                          int                // policy lag of the step's groups
	tokens, sampleS                                 map[string]float64 // per worker: accepted tokens, sampling seconds
}

func newStepStats(step int) *stepStats {
	return &stepStats{step: step, tokens: map[string]float64{}, sampleS: map[string]float64{}}
}

// accepted records worker's result: tokens generated in sampleS seconds.
func (s *stepStats) accepted(worker string, tokens int, sampleS float64, delivered int) {
	s.tokens[worker] += float64(tokens)
	s.sampleS[worker] += sampleS
	if delivered > 1 {
		s.redelivered++
	}
}

// lagged records one group of the step that sampled lag policy versions behind it.
func (s *stepStats) lagged(lag int) {
	s.lagMax = max(s.lagMax, lag)
	s.lagSum += lag
	s.groups++
}

// write adds the workers/ keys to m.
func (s *stepStats) write(m trainers.Metrics) {
	m[trainers.KeyWorkerTasks] = float64(s.tasks)
	m[trainers.KeyWorkerRedeliver] = float64(s.redelivered)
	m[trainers.KeyWorkerDuplicates] = float64(s.duplicates)
	m[trainers.KeyWorkerRejected] = float64(s.rejected)
	m[trainers.KeyWorkerLocal] = float64(s.local)
	m[trainers.KeyWorkerLagMax] = float64(s.lagMax)
	if s.groups > 0 {
		m[trainers.KeyWorkerLagMean] = float64(s.lagSum) / float64(s.groups)
	}
	m[trainers.KeyWorkerCount] = float64(len(s.tokens))
	ids := make([]string, 0, len(s.tokens))
	for id := range s.tokens {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var tok, sec float64
	for _, id := range ids {
		tok += s.tokens[id]
		sec += s.sampleS[id]
		if s.sampleS[id] > 0 {
			m[trainers.WorkerTokPerSKey(id)] = s.tokens[id] / s.sampleS[id]
		}
	}
	if sec > 0 {
		m[trainers.KeyWorkerTokPerS] = tok / sec
	}
}
