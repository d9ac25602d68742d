package trainers

import (
	"fmt"
	"testing"
)

// TestHDPOHandTable checks the hdpo trainer's two channels on a hand table (eps 1e-4 for the
// accuracy channel, 1e-6 for the efficiency one, Bessel-corrected stds). Group 0 has four episodes,
// group 1 two; T = tool calls, r_eff = 1/(T+1) on correct episodes only:
//
//	row  group  correct  T  r_eff  A_acc                          A_eff (Q = correct set)
//	0    0      1        0  1      0.25/0.5001 = 0.499900         (1 - 7/12)/0.381882 = 1.091087
//	1    0      1        1  0.5    0.499900                       (0.5 - 7/12)/0.381882 = -0.218217
//	2    0      1        3  0.25   0.499900                       (0.25 - 7/12)/0.381882 = -0.872869
//	3    0      0        2  -      -0.75/0.5001 = -1.499700       0 (not in Q)
//	4    1      1        1  0.5    0.5/(sqrt(1/2) + 1e-4) = 0.707007   0 (|Q| = 1 < 2)
//	5    1      0        0  -      -0.707007                      0
//
// mean_Q r_eff = 7/12, std_Q = sqrt(0.291667/2) = 0.381881; eff_qualifying_frac = 3/6. On the first
// update (rho = 1) with loss_type dapo (6 tokens) the gradient of
// L = w_acc L_clip(A_acc) + w_eff L_clip(A_eff), the efficiency term a token mean over Q (3 tokens), is
//
//	dL/dlogp_b = -w_acc A_acc_b / 6 - w_eff A_eff_b / 3.
func TestHDPOHandTable(t *testing.T) {
	correct := [][]float64{{1, 1, 1, 0}, {1, 0}}
	tools := [][]int{{0, 1, 3, 2}, {1, 0}}
	wantEff := []float64{1, 0.5, 0.25, 0, 0.5, 0}
	wantAcc := []float64{0.4999000199960008, 0.4999000199960008, 0.4999000199960008, -1.4997000599880024, 0.7070067953266834, -0.7070067953266834}
	wantAEff := []float64{1.0910865940445866, -0.21821731880891743, -0.8728692752356695, 0, 0, 0}
	wantQ := []bool{true, true, true, false, false, false}
	for _, w := range [][2]float64{{1, 0.15}, {0.5, 1}} {
		t.Run(fmt.Sprintf("w_acc=%g,w_eff=%g", w[0], w[1]), func(t *testing.T) {
			cfg := Defaults()
			cfg.Beta = 0
			cfg.HDPO.WAcc, cfg.HDPO.WEff = w[0], w[1]
			h := &hdpo{t: testTrainer(cfg)}
			var trajs []*Trajectory
			for g := range correct {
				for i, c := range correct[g] {
					tr := scoreTrajectory(g, i, c)
					tr.Turns[0].ToolCalls = tools[g][i]
					trajs = append(trajs, tr)
				}
			}
			samples := h.samples(0)(trajs)
			m := Metrics{}
			if err := h.advantages(samples, m); err != nil {
				t.Fatal(err)
			}
			for b, s := range samples {
				wantClose(t, fmt.Sprintf("row %d r_eff", b), s.RewardEff, wantEff[b], 0)
				wantClose(t, fmt.Sprintf("row %d A_acc", b), s.Advantage, wantAcc[b], 1e-12)
				wantClose(t, fmt.Sprintf("row %d A_eff", b), s.AdvantageEff, wantAEff[b], 1e-12)
				if s.EffQualifies != wantQ[b] {
					t.Errorf("row %d in Q = %v, want %v", b, s.EffQualifies, wantQ[b])
				}
			}
			wantClose(t, "eff_qualifying_frac", m[keyEffQualifyingFrac], 0.5, 0)
			dlogp := policyGradient(t, samples, sampleWeights{}, h.lossConfig())
			for b := range samples {
				want := -w[0]*wantAcc[b]/6 - w[1]*wantAEff[b]/3
				wantClose(t, fmt.Sprintf("row %d dL/dlogp", b), float64(dlogp[b][0]), want, 1e-6)
			}
		})
	}
}

// hdpo.efficiency tokens rewards short correct answers: r_eff = 1/(1 + tokens).
func TestHDPOEfficiencyTokens(t *testing.T) {
	cfg := Defaults()
	cfg.HDPO.Efficiency = "tokens"
	h := &hdpo{t: testTrainer(cfg)}
	tr := scoreTrajectory(0, 0, 1)
	tr.Turns[0].Gen.Tokens = []int{3, 4, 5}
	tr.Turns[0].Gen.LogProbs = []float32{-1, -1, -1}
	tr.Turns[0].ToolCalls = 7
	if got := h.samples(0)([]*Trajectory{tr})[0].RewardEff; got != 0.25 {
		t.Fatalf("r_eff = %g for a correct 3-token answer, want 1/(1+3) = 0.25", got)
	}
}
