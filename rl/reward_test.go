package rl

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"grit/rewards"
)

func TestTotalReward(t *testing.T) {
	comps := []rewards.Component{
		{Name: "answer", Value: 1, OK: true},
		{Name: "format", Value: 0.5, OK: true},
		{Name: "judge", Value: 0.9, OK: false, Err: "timeout"},
		{Name: "nan", Value: math.NaN(), OK: true},
	}
	got := TotalReward(comps, map[string]float64{"answer": 0.9, "format": 0.1, "judge": 2, "length": 1})
	if !near(got.Value, 0.9+0.05, 1e-15) || !got.OK {
		t.Errorf("total %g ok %v, want 0.95 true", got.Value, got.OK)
	}
	if !reflect.DeepEqual(got.Missing, []string{"judge", "nan", "length"}) {
		t.Errorf("missing %v, want [judge nan length] (nan is not named: it keeps weight 1)", got.Missing)
	}
	all := TotalReward(comps, nil) // weight 1 for every component
	if !near(all.Value, 1.5, 1e-15) || !reflect.DeepEqual(all.Missing, []string{"judge", "nan"}) {
		t.Errorf("unweighted total %g missing %v", all.Value, all.Missing)
	}
	none := TotalReward(comps[2:], nil)
	if none.OK || none.Value != 0 || len(none.Missing) != 2 {
		t.Errorf("all failed: %+v, want OK false with both missing", none)
	}
}

// Components a weights map does not name keep weight 1: weighting one component never drops the
// others (the README's --set reward_weights.format=0.1 must not exclude every sample).
func TestTotalRewardUnnamedComponentsKeepWeightOne(t *testing.T) {
	comps := []rewards.Component{
		{Name: "correct", Value: 1, OK: true},
		{Name: "format", Value: 1, OK: true},
	}
	got := TotalReward(comps, map[string]float64{"format": 0.1})
	if !got.OK || !near(got.Value, 1.1, 1e-15) || len(got.Missing) != 0 {
		t.Fatalf("weights {format: 0.1}: %+v, want value 1.1 (correct keeps weight 1), OK, nothing missing", got)
	}
	only := TotalReward(comps[:1], map[string]float64{"format": 0.1})
	if !only.OK || only.Value != 1 || !reflect.DeepEqual(only.Missing, []string{"format"}) {
		t.Fatalf("format absent: %+v, want value 1 from correct, format missing", only)
	}
	// The rewards package's Total follows the same rule.
	if v, ok := rewards.Total(rewards.Result{Components: comps}, map[string]float64{"format": 0.1}); !ok || !near(v, 1.1, 1e-15) {
		t.Fatalf("rewards.Total = %v, %v; want 1.1", v, ok)
	}
}

func TestCheckRewardWeights(t *testing.T) {
	comps := []string{"correct", "format"}
	if err := CheckRewardWeights(map[string]float64{"format": 0.1, "correct": 2}, comps); err != nil {
		t.Fatalf("valid weights: %v", err)
	}
	if err := CheckRewardWeights(nil, comps); err != nil {
		t.Fatalf("no weights: %v", err)
	}
	err := CheckRewardWeights(map[string]float64{"corect": 1}, comps)
	if err == nil {
		t.Fatal("a misspelt component was accepted")
	}
	for _, want := range []string{"reward_weights.corect", `"correct"`, "correct, format"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}
