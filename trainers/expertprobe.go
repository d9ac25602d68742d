package trainers

import (
	"context"
	"strconv"

	"grit/rl"
)

// chooseSetting is B-STaR's configuration search: it draws expert_iter.probe_prompts training
// prompts from the iteration's own probe stream, samples num_generations solutions of each at
// every temperature of the grid and computes the balance score of every (temperature, threshold)
// pair (thresholds: the threshold grid with select: reward, else the one selection rule). It logs
// every pair's score (probe_balance/t<T>, or probe_balance/t<T>_th<tau>) and returns the best pair:
// the highest balance, ties to the lowest temperature, then to the highest threshold.
//
// The probe's prompts come from streamRNG(seed, "expert_iter-probe-data", step) and its episodes
// are seeded from streamSeed(seed, "expert_iter-probe", step): the same prompts and episode seeds
// at every grid point (common random numbers, so the grid points differ only by their setting),
// and none shared with the iteration's own batch. A resumed run recomputes them from (seed, step).
func (e *expertIter) chooseSetting(ctx context.Context, step int, m Metrics) (temp, threshold float64, err error) {
	t := e.t
	cfg := t.cfg
	tasks := t.env.Tasks().Train(cfg.ExpertIter.ProbePrompts, streamRNG(cfg.Seed, "expert_iter-probe-data", uint64(step)))
	probeSeed := streamSeed(cfg.Seed, "expert_iter-probe", uint64(step))
	perTemp := make([][]rl.Sample, len(e.temperatures))
	tokens := 0
	for i, temp := range e.temperatures {
		batch, err := e.sampleAt(ctx, step, tasks, temp, probeSeed, 0)
		if err != nil {
			return 0, 0, err
		}
		perTemp[i] = batch.samples(t, step)
		for _, tr := range batch.trajs {
			tokens += tr.GeneratedTokens()
		}
	}
	m[keyProbeGenTokens] = float64(tokens)
	grid := e.balanceGrid(perTemp)
	bi, bj := bestSetting(e.temperatures, e.thresholds, grid)
	for i, temp := range e.temperatures {
		for j, th := range e.thresholds {
			m[e.probeKey(temp, th)] = grid[i][j]
		}
	}
	return e.temperatures[bi], e.thresholds[bj], nil
}

// balanceGrid is the balance score of every grid point: grid[i][j] for the samples drawn at
// temperatures[i] (perTemp[i]) under the selection rule with thresholds[j].
func (e *expertIter) balanceGrid(perTemp [][]rl.Sample) [][]float64 {
	grid := make([][]float64, len(perTemp))
	for i, samples := range perTemp {
		for _, th := range e.thresholds {
			grid[i] = append(grid[i], measureExpert(samples, e.keeper(th), e.t.cfg.ExpertIter.BalanceNStar).balance)
		}
	}
	return grid
}

// bestSetting returns the indices (i, j) of the highest grid[i][j]; among equal scores the lowest
// temperature temps[i] wins, then the highest threshold ths[j].
func bestSetting(temps, ths []float64, grid [][]float64) (bi, bj int) {
	bi, bj = -1, -1
	for i := range temps {
		for j := range ths {
			if bi < 0 {
				bi, bj = i, j
				continue
			}
			s, best := grid[i][j], grid[bi][bj]
			switch {
			case s > best:
			case s < best:
				continue
			case temps[i] < temps[bi]:
			case temps[i] > temps[bi]:
				continue
			case ths[j] > ths[bj]:
			default:
				continue
			}
			bi, bj = i, j
		}
	}
	return bi, bj
}

// probeKey is the metrics key of one grid point's balance score.
func (e *expertIter) probeKey(temp, th float64) string {
	k := probeBalancePrefix + "t" + strconv.FormatFloat(temp, 'g', -1, 64)
	if e.t.cfg.ExpertIter.Select == SelectReward {
		k += "_th" + strconv.FormatFloat(th, 'g', -1, 64)
	}
	return k
}
