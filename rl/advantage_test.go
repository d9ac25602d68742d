package rl

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*(1+math.Abs(b))
}

func TestGroupAdvantagesHandTable(t *testing.T) {
	nan := math.NaN()
	sqrt3 := math.Sqrt(1.0 / 3) // Bessel std of {1, 0, 0, 1}
	cases := []struct {
		name   string
		cfg    AdvantageConfig
		groups [][]float64
		want   [][]float64
		excl   int
	}{
		{"grpo group", AdvantageConfig{Estimator: "grpo", Scale: "group", Eps: 1e-4},
			[][]float64{{1, 0, 0, 1}}, [][]float64{{0.5 / (sqrt3 + 1e-4), -0.5 / (sqrt3 + 1e-4), -0.5 / (sqrt3 + 1e-4), 0.5 / (sqrt3 + 1e-4)}}, 0},
		{"grpo all equal", AdvantageConfig{Estimator: "grpo", Scale: "group", Eps: 1e-4},
			[][]float64{{0.7, 0.7, 0.7}}, [][]float64{{0, 0, 0}}, 0},
		{"grpo NaN excluded", AdvantageConfig{Estimator: "grpo", Scale: "group", Eps: 1e-4},
			// valid {1, 0}: mean 0.5, Bessel std sqrt(0.5)
			[][]float64{{1, nan, 0}}, [][]float64{{0.5 / (math.Sqrt(0.5) + 1e-4), 0, -0.5 / (math.Sqrt(0.5) + 1e-4)}}, 1},
		{"grpo single valid", AdvantageConfig{Estimator: "grpo", Scale: "group", Eps: 1e-4},
			[][]float64{{3, nan}}, [][]float64{{0, 0}}, 1},
		{"grpo empty group", AdvantageConfig{Estimator: "grpo", Scale: "group", Eps: 1e-4},
			[][]float64{{}, {1, 3}}, [][]float64{{}, {-1 / (math.Sqrt2 + 1e-4), 1 / (math.Sqrt2 + 1e-4)}}, 0},
		// batch {0, 1, 2, 2}: mean 1.25, squares 1.5625+0.0625+0.5625+0.5625 = 2.75, Bessel var 2.75/3
		{"grpo batch", AdvantageConfig{Estimator: "grpo", Scale: "batch", Eps: 1e-4},
			[][]float64{{0, 1}, {2, 2}}, [][]float64{{-0.5 / (math.Sqrt(2.75/3) + 1e-4), 0.5 / (math.Sqrt(2.75/3) + 1e-4)}, {0, 0}}, 0},
		{"grpo none", AdvantageConfig{Estimator: "grpo", Scale: "none", Eps: 1e-4},
			[][]float64{{1, 2, 3}}, [][]float64{{-1, 0, 1}}, 0},
		{"dr_grpo", AdvantageConfig{Estimator: "dr_grpo", Eps: 1e-4},
			[][]float64{{1, 2, 6}}, [][]float64{{-2, -1, 3}}, 0},
		// leave-one-out: 1 - (2+3)/2, 2 - (1+3)/2, 3 - (1+2)/2
		{"rloo", AdvantageConfig{Estimator: "rloo"},
			[][]float64{{1, 2, 3}}, [][]float64{{-1.5, 0, 1.5}}, 0},
		{"rloo NaN", AdvantageConfig{Estimator: "rloo"},
			[][]float64{{1, math.Inf(1), 4}}, [][]float64{{-3, 0, 3}}, 1},
	}
	for _, c := range cases {
		got, st, err := GroupAdvantages(c.groups, nil, c.cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if st.Excluded != c.excl {
			t.Errorf("%s: excluded %d, want %d", c.name, st.Excluded, c.excl)
		}
		for g := range c.want {
			if len(got[g]) != len(c.want[g]) {
				t.Fatalf("%s: group %d has %d advantages, want %d", c.name, g, len(got[g]), len(c.want[g]))
			}
			for j := range c.want[g] {
				if !near(got[g][j], c.want[g][j], 1e-12) {
					t.Errorf("%s: A[%d][%d] = %.15g, want %.15g", c.name, g, j, got[g][j], c.want[g][j])
				}
			}
		}
	}
}

func TestGroupAdvantagesValidMaskAndErrors(t *testing.T) {
	got, st, err := GroupAdvantages([][]float64{{5, 1, 3}}, [][]bool{{false, true, true}}, AdvantageConfig{Estimator: "dr_grpo"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0][0] != 0 || got[0][1] != -1 || got[0][2] != 1 || st.Excluded != 1 {
		t.Errorf("masked reward: got %v excluded %d; want [0 -1 1], 1", got[0], st.Excluded)
	}
	if _, _, err := GroupAdvantages([][]float64{{1}}, nil, AdvantageConfig{Estimator: "ppo"}); err == nil {
		t.Error("unknown estimator: want an error")
	}
	if _, _, err := GroupAdvantages([][]float64{{1}}, nil, AdvantageConfig{Estimator: "grpo", Scale: "global"}); err == nil {
		t.Error("unknown scale: want an error")
	}
	if _, _, err := GroupAdvantages([][]float64{{1, 2}}, [][]bool{{true}}, DefaultAdvantageConfig()); err == nil {
		t.Error("mask of the wrong length: want an error")
	}
}

func TestHDPOGroups(t *testing.T) {
	eps := 1e-6
	// Efficiency rewards are non-zero only for correct rollouts; incorrect ones carry junk to prove
	// they are ignored.
	cases := []struct {
		name    string
		correct []bool
		eff     []float64
		wantEff []float64
		wantQ   []bool
	}{
		{"none correct", []bool{false, false, false, false}, []float64{9, 9, 9, 9}, []float64{0, 0, 0, 0}, []bool{false, false, false, false}},
		{"one correct", []bool{true, false, false, false}, []float64{0.5, 9, 9, 9}, []float64{0, 0, 0, 0}, []bool{false, false, false, false}},
		// Q = {0.5, 0.25}: mean 0.375, Bessel std 0.25/sqrt2
		{"two correct", []bool{true, true, false, false}, []float64{0.5, 0.25, 9, 9},
			[]float64{0.125 / (0.25/math.Sqrt2 + eps), -0.125 / (0.25/math.Sqrt2 + eps), 0, 0}, []bool{true, true, false, false}},
		// Q = {0.5, 0.25, 0.75}: mean 0.5, Bessel std 0.25
		{"three correct", []bool{true, true, false, true}, []float64{0.5, 0.25, 9, 0.75},
			[]float64{0, -0.25 / (0.25 + eps), 0, 0.25 / (0.25 + eps)}, []bool{true, true, false, true}},
		// all correct, Q = {1, 0.5, 0.5, 0}: mean 0.5, Bessel std sqrt(0.5/3)
		{"all correct", []bool{true, true, true, true}, []float64{1, 0.5, 0.5, 0},
			[]float64{0.5 / (math.Sqrt(0.5/3) + eps), 0, 0, -0.5 / (math.Sqrt(0.5/3) + eps)}, []bool{true, true, true, true}},
	}
	for _, c := range cases {
		acc := make([]float64, len(c.correct))
		for i, ok := range c.correct {
			if ok {
				acc[i] = 1
			}
		}
		aAcc, aEff, q, err := HDPOGroupAdvantages(acc, c.eff, c.correct, nil, 1e-4, eps)
		if err != nil {
			t.Fatal(err)
		}
		wantAcc, _, _ := GroupAdvantages([][]float64{acc}, nil, AdvantageConfig{Estimator: "grpo", Scale: "group", Eps: 1e-4})
		for i := range c.correct {
			if !near(aEff[i], c.wantEff[i], 1e-12) || q[i] != c.wantQ[i] {
				t.Errorf("%s: A_eff[%d] = %g (Q %v), want %g (Q %v)", c.name, i, aEff[i], q[i], c.wantEff[i], c.wantQ[i])
			}
			if !c.correct[i] && aEff[i] != 0 {
				t.Errorf("%s: incorrect rollout %d has efficiency advantage %g", c.name, i, aEff[i])
			}
			if aAcc[i] != wantAcc[0][i] {
				t.Errorf("%s: A_acc[%d] = %g, want GRPO's %g", c.name, i, aAcc[i], wantAcc[0][i])
			}
		}
	}
	if _, _, _, err := HDPOGroupAdvantages([]float64{1}, []float64{1, 2}, []bool{true}, nil, 1e-4, eps); err == nil {
		t.Error("mismatched lengths: want an error")
	}
}

func TestAssignAdvantages(t *testing.T) {
	s := []Sample{
		{Group: 7, Reward: 1, RewardOK: true, Correct: true, RewardEff: 0.5},
		{Group: 3, Reward: 2, RewardOK: true},
		{Group: 7, Reward: 0, RewardOK: false}, // every component failed: excluded
		{Group: 7, Reward: 0, RewardOK: true, Correct: true, RewardEff: 0.25},
		{Group: 3, Reward: 4, RewardOK: true, Correct: true},
	}
	cfg := AdvantageConfig{Estimator: "hdpo", Eps: 0, EffEps: 0}
	st, err := AssignAdvantages(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Groups != 2 || st.Samples != 5 || st.Excluded != 1 {
		t.Errorf("stats %+v, want 2 groups, 5 samples, 1 excluded", st)
	}
	// group 7 valid {1, 0}: std 1/sqrt2, A = +-0.5*sqrt2; group 3 {2, 4}: A = -+ 1/sqrt2
	want := []float64{math.Sqrt2 / 2, -math.Sqrt2 / 2, 0, -math.Sqrt2 / 2, math.Sqrt2 / 2}
	for i := range s {
		if !near(s[i].Advantage, want[i], 1e-12) {
			t.Errorf("sample %d advantage %g, want %g", i, s[i].Advantage, want[i])
		}
	}
	if s[0].GroupAccuracy != 2.0/3 || s[1].GroupAccuracy != 0.5 {
		t.Errorf("group accuracy %g, %g; want 2/3, 1/2", s[0].GroupAccuracy, s[1].GroupAccuracy)
	}
	// group 7's Q = {0.5, 0.25}: A_eff = +-1/sqrt2; group 3 has one correct sample: all zero
	if !near(s[0].AdvantageEff, math.Sqrt2/2, 1e-12) || !near(s[3].AdvantageEff, -math.Sqrt2/2, 1e-12) || !s[0].EffQualifies {
		t.Errorf("efficiency advantages %g, %g (qualifies %v)", s[0].AdvantageEff, s[3].AdvantageEff, s[0].EffQualifies)
	}
	if s[4].AdvantageEff != 0 || s[4].EffQualifies || s[2].EffQualifies {
		t.Errorf("samples outside a |Q| >= 2 set must have no efficiency advantage")
	}
}
