package tool

import (
	"strings"
	"testing"

	"grit/envs"
)

func TestParamErrorsNameTheKey(t *testing.T) {
	cases := map[string]envs.Params{
		"hard_frac":         {"hard_frac": 1.5},
		"medium_frac":       {"hard_frac": 0.7, "medium_frac": 0.5},
		"p_call_easy":       {"p_call_easy": -0.1},
		"p_call_medium":     {"p_call_medium": "high"},
		"max_turns":         {"max_turns": 0},
		"easy_forms":        {"easy_forms": []any{"1+1", "1/1"}},
		"hard_forms":        {"hard_forms": []any{}},
		"medium_forms":      {"medium_frac": 0.1, "medium_forms": []any{"7*7x"}},
		"held_out_fraction": {"held_out_fraction": 0.9},
		"held_out_size":     {"held_out_size": -1},
		"held_out_seed":     {"held_out_seed": 1.5},
		"hard_frc":          {"hard_frc": 0.5},
	}
	for key, p := range cases {
		_, err := envs.New("tool", p)
		if err == nil || !strings.Contains(err.Error(), `"`+key+`"`) {
			t.Errorf("params %v: error %v, want one naming %q", p, err, key)
		}
	}
	if _, err := envs.New("tool", envs.Params{"hard_frac": 1, "easy_forms": []any{}}); err != nil {
		t.Errorf("empty easy_forms with no easy share must be accepted: %v", err)
	}
}

func TestParseForm(t *testing.T) {
	f, err := ParseForm("3*2")
	if err != nil || f != (Form{DigitsA: 3, Op: '*', DigitsB: 2}) || f.String() != "3*2" {
		t.Fatalf("ParseForm(3*2) = %+v, %v", f, err)
	}
	for _, bad := range []string{"", "3*", "0+1", "7+1", "3/2", "10+1", "a+b"} {
		if _, err := ParseForm(bad); err == nil {
			t.Errorf("ParseForm(%q) accepted", bad)
		}
	}
}
