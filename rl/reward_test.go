package rl

import (
	"math"
	"reflect"
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
	if !reflect.DeepEqual(got.Missing, []string{"judge", "length"}) {
		t.Errorf("missing %v, want [judge length]", got.Missing)
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
