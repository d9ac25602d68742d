package trainers

import (
	"testing"

	"grit/rl"
)

// probeSet builds one temperature's probe samples: solutions[g] lists prompt g's samples as
// (token, correct) pairs, a solution being its single token.
func probeSet(solutions ...[]struct {
	tok     int
	correct bool
}) []rl.Sample {
	var out []rl.Sample
	for g, sols := range solutions {
		for _, s := range sols {
			r := 0.0
			if s.correct {
				r = 1
			}
			out = append(out, mon(g, []int{s.tok}, r, s.correct))
		}
	}
	return out
}

type sol = struct {
	tok     int
	correct bool
}

// On a constructed probe (two prompts, K = 4, n* = 2, select: correct) the search picks the
// temperature with the highest balance score, worked out by hand:
//
//	T 0.5: both prompts A A A A (all correct): n = 4, n' = 1 -> 1/2 * 1/4 = 1/8 each; balance 1/8
//	T 1.0: A B C x -> n = 3, n' = 3 -> 1 * 3/3 = 1;  A A B x -> n = 3, n' = 2 -> 1 * 2/3;  balance 5/6
//	T 1.5: A x x x -> n = 1, n' = 1 -> 1/2;  x x x x -> 0;  balance 1/4
func TestAutoTemperaturePicksHighestBalance(t *testing.T) {
	cfg := Defaults()
	cfg.ExpertIter.BalanceNStar = 2
	e := &expertIter{t: testTrainer(cfg), temperatures: []float64{0.5, 1, 1.5}, thresholds: []float64{1}}
	A, B, C, x := sol{1, true}, sol{2, true}, sol{3, true}, sol{9, false}
	perTemp := [][]rl.Sample{
		probeSet([]sol{A, A, A, A}, []sol{A, A, A, A}),
		probeSet([]sol{A, B, C, x}, []sol{A, A, B, x}),
		probeSet([]sol{A, x, x, x}, []sol{x, x, x, x}),
	}
	grid := e.balanceGrid(perTemp)
	for i, want := range []float64{1.0 / 8, 5.0 / 6, 1.0 / 4} {
		wantClose(t, "balance at T "+e.probeKey(e.temperatures[i], 1), grid[i][0], want, 1e-12)
	}
	if bi, _ := bestSetting(e.temperatures, e.thresholds, grid); e.temperatures[bi] != 1 {
		t.Errorf("picked temperature %g, want 1 (balance 5/6)", e.temperatures[bi])
	}
}

// Ties go to the lowest temperature, then to the highest threshold; a strictly better score wins
// wherever it is in the grid.
func TestBestSettingTies(t *testing.T) {
	temps, ths := []float64{1.25, 0.5, 1}, []float64{0.2, 0.8}
	for _, c := range []struct {
		grid   [][]float64
		wantT  float64
		wantTh float64
	}{
		{[][]float64{{0.3, 0.3}, {0.3, 0.3}, {0.3, 0.3}}, 0.5, 0.8},
		{[][]float64{{0.4, 0.1}, {0.3, 0.3}, {0.4, 0.4}}, 1, 0.8},
		{[][]float64{{0.9, 0.1}, {0.3, 0.3}, {0.4, 0.4}}, 1.25, 0.2},
		{[][]float64{{0, 0}, {0.5, 0.1}, {0, 0}}, 0.5, 0.2},
	} {
		bi, bj := bestSetting(temps, ths, c.grid)
		if temps[bi] != c.wantT || ths[bj] != c.wantTh {
			t.Errorf("grid %v: picked T %g tau %g, want T %g tau %g", c.grid, temps[bi], ths[bj], c.wantT, c.wantTh)
		}
	}
}
