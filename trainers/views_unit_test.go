package trainers

import (
	"testing"
	"unicode/utf8"

	"grit/rewards"
	"grit/rl"
)

func TestCompletionLineAndCut(t *testing.T) {
	s := rl.Sample{PromptText: "12+34=", Correct: false, RewardOK: false,
		Components: []rewards.Component{{Name: "correct", Value: 0, OK: true}, {Name: "judge", OK: false, Err: "down"}},
		Turns:      []rl.TurnTokens{{Text: "<calc>12+34</calc>"}, {Text: "46\nok"}}}
	want := "  ✗   —   [correct=0 judge=failed] 12+34= → <calc>12+34</calc> | 46⏎ok"
	if got := completionLine(s); got != want {
		t.Errorf("line\n got %q\nwant %q", got, want)
	}
	cut := cutToWidth(want, 20)
	if utf8.RuneCountInString(cut) != 20 || cut[len(cut)-len("…"):] != "…" {
		t.Errorf("cut to 20: %q (%d runes)", cut, utf8.RuneCountInString(cut))
	}
	if cutToWidth("short", 20) != "short" {
		t.Error("a short line is kept whole")
	}
}

// Picks spread over the groups, one per group, rotating the sample with the step; no randomness.
func TestPickSamplesSpreadsOverGroups(t *testing.T) {
	var samples []rl.Sample
	for g := range 8 {
		for i := range 4 {
			samples = append(samples, rl.Sample{Group: g, Index: i})
		}
	}
	got := pickSamples(samples, 3, 5)
	want := [][2]int{{0, 1}, {2, 2}, {5, 3}} // groups 0, 8/3=2, 16/3=5; samples (5+i)%4
	for i, s := range got {
		if [2]int{s.Group, s.Index} != want[i] {
			t.Errorf("pick %d = group %d sample %d, want %v", i, s.Group, s.Index, want[i])
		}
	}
	if n := len(pickSamples(samples[:4], 3, 0)); n != 1 {
		t.Errorf("one group: %d picks, want 1", n)
	}
}
