package trainers

import (
	"math"
	"testing"

	"grit/rl"
)

// mon builds one sample of group g: its solution (one turn of tokens), reward and verdict.
func mon(g int, tokens []int, reward float64, correct bool) rl.Sample {
	return rl.Sample{Group: g, Turns: []rl.TurnTokens{{Tokens: tokens}}, Reward: reward, RewardOK: true, Correct: correct}
}

// monitorBatch is three prompts of four samples (a solution is its token list):
//
//	prompt 0: A ok 1.0, A ok 1.0, B ok 1.0, C wrong 0.6     c=3, distinct correct {A, B}
//	prompt 1: D wrong 0.2, E wrong 0.7, F wrong 0.1, G wrong 0   no correct sample
//	prompt 2: H ok 1.0, I wrong 0.3, I wrong 0.3, J wrong 0.5    distinct correct {H}
//
// plus an ungraded sample of prompt 2 (RewardOK false), which no rule selects.
func monitorBatch() []rl.Sample {
	A, B, C, D, E, F, G, H, I, J := []int{1}, []int{2}, []int{3}, []int{4}, []int{5}, []int{6}, []int{7}, []int{8}, []int{9}, []int{10}
	out := []rl.Sample{
		mon(0, A, 1, true), mon(0, A, 1, true), mon(0, B, 1, true), mon(0, C, 0.6, false),
		mon(1, D, 0.2, false), mon(1, E, 0.7, false), mon(1, F, 0.1, false), mon(1, G, 0, false),
		mon(2, H, 1, true), mon(2, I, 0.3, false), mon(2, I, 0.3, false), mon(2, J, 0.5, false),
	}
	ungraded := mon(2, []int{11}, 0, false)
	ungraded.RewardOK = false
	return append(out, ungraded)
}

// The monitors against values worked out by hand on monitorBatch with n* = 2.
func TestExpertMonitorsHandDerived(t *testing.T) {
	samples := monitorBatch()
	// select: correct. n = (3, 0, 1), n' = (2, 0, 1):
	// balance = (min(2/2,1)*2/3 + 0 + min(1/2,1)*1/1) / 3 = (2/3 + 1/2) / 3 = 7/18.
	e := &expertIter{t: testTrainer(Defaults())}
	got := measureExpert(samples, e.keeper(1), 2)
	wantClose(t, "pass@K", got.passAtK, 2.0/3, 1e-12)
	wantClose(t, "distinct correct", got.distinctCorrect, (2.0+0+1)/3, 1e-12)
	wantClose(t, "balance (select correct)", got.balance, 7.0/18, 1e-12)
	if got.prompts != 3 || got.selected != 4 || got.selectedCorrect != 4 {
		t.Errorf("prompts %d selected %d selected correct %d, want 3, 4, 4", got.prompts, got.selected, got.selectedCorrect)
	}
	wantClose(t, "precision (select correct)", got.precision(), 1, 0)

	// select: reward, tau = 0.5: n = (4, 1, 2) (C 0.6, E 0.7, J 0.5 are kept wrongly), n' = (2, 0, 1):
	// balance = (1 * 2/4 + 0 + 1/2 * 1/2) / 3 = 0.75 / 3 = 0.25; precision = 4/7.
	cfg := Defaults()
	cfg.ExpertIter.Select = SelectReward
	e = &expertIter{t: testTrainer(cfg)}
	got = measureExpert(samples, e.keeper(0.5), 2)
	wantClose(t, "balance (reward >= 0.5)", got.balance, 0.25, 1e-12)
	wantClose(t, "precision (reward >= 0.5)", got.precision(), 4.0/7, 1e-12)
	wantClose(t, "pass@K does not depend on the rule", got.passAtK, 2.0/3, 1e-12)
	// n* = 1: min(n'/1, 1) = 1 whenever n' >= 1: (2/4 + 0 + 1/2) / 3 = 1/3.
	wantClose(t, "balance (n* = 1)", measureExpert(samples, e.keeper(0.5), 1).balance, 1.0/3, 1e-12)

	// Nothing selected: balance 0, precision undefined (not logged).
	none := measureExpert(samples, e.keeper(2), 2)
	if none.balance != 0 || none.selected != 0 || !math.IsNaN(none.precision()) {
		t.Errorf("tau 2: balance %g selected %d precision %g; want 0, 0, NaN", none.balance, none.selected, none.precision())
	}
	m := Metrics{}
	none.write(m)
	if _, ok := m[keySelectionPrecision]; ok {
		t.Errorf("selection_precision logged with nothing selected: %v", m)
	}
}

// Selection keeps exactly the correct graded samples (select: correct), and mask_truncated drops
// truncated ones.
func TestExpertSelectionKeepsOnlyCorrect(t *testing.T) {
	samples := monitorBatch()
	samples[2].Truncated = true // B, correct but cut at max_new_tokens
	cfg := Defaults()
	e := &expertIter{t: testTrainer(cfg)}
	keep := e.keeper(0) // the threshold is not read by select: correct
	for i := range samples {
		want := samples[i].RewardOK && samples[i].Correct
		if keep(&samples[i]) != want {
			t.Errorf("sample %d (correct %v, reward %g): kept %v, want %v", i, samples[i].Correct, samples[i].Reward, !want, want)
		}
	}
	cfg.MaskTruncated = true
	e = &expertIter{t: testTrainer(cfg)}
	if e.keeper(0)(&samples[2]) {
		t.Errorf("mask_truncated: a truncated correct sample was kept")
	}
}

// solutionKey tells solutions apart by every turn's tokens, and turn boundaries count.
func TestSolutionKey(t *testing.T) {
	one := rl.Sample{Turns: []rl.TurnTokens{{Tokens: []int{1, 23}}}}
	other := rl.Sample{Turns: []rl.TurnTokens{{Tokens: []int{12, 3}}}}
	split := rl.Sample{Turns: []rl.TurnTokens{{Tokens: []int{1}}, {Tokens: []int{23}}}}
	if solutionKey(&one) == solutionKey(&other) || solutionKey(&one) == solutionKey(&split) {
		t.Errorf("keys collide: %q %q %q", solutionKey(&one), solutionKey(&other), solutionKey(&split))
	}
}
