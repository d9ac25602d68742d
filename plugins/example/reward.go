package example

import (
	"strings"
	"unicode"

	"grit/plugins"
	"grit/rewards"
)

func init() {
	rewards.Register("example_short_exact", newShortExact)
}

// ShortExact rewards a completion whose last word is the answer, less a penalty for length:
//
//	r = 1 - penalty * min(1, max(0, words - budget) / budget)   if the last word equals the answer
//	r = 0                                                        otherwise
//
// so a right answer always scores at least 1 - penalty > 0, and a wrong one 0.
type ShortExact struct {
	Budget  int     // words allowed before the length penalty starts
	Penalty float64 // largest deduction for length, in [0, 1)
}

// newShortExact builds the reward from config params: budget (default 20) and penalty (0.5).
func newShortExact(params map[string]any) (rewards.Func, error) {
	a := plugins.NewArgs(params)
	r := ShortExact{Budget: a.Int("budget", 20), Penalty: a.Float("penalty", 0.5)}
	if r.Budget < 1 {
		a.Failf("budget", "must be at least 1 word, got %d", r.Budget)
	}
	if r.Penalty < 0 || r.Penalty >= 1 {
		a.Failf("penalty", "must be in [0, 1) so a right answer always beats a wrong one, got %v", r.Penalty)
	}
	if err := a.Done(); err != nil { // rejects unknown keys, naming the valid ones
		return nil, err
	}
	return r, nil
}

// Name is the component name in results and in reward_weights.
func (ShortExact) Name() string { return "example_short_exact" }

// Correct makes the reward a verdict (rewards.Judge): any positive value is a right answer.
func (ShortExact) Correct(value float64) bool { return value > 0 }

// Grade implements rewards.Func. It never fails: a missing answer is simply wrong. A reward that
// cannot judge (say, a malformed reference) returns an error instead, and grit marks the
// component failed rather than scoring it 0.
func (r ShortExact) Grade(in rewards.Input) (float64, error) {
	words := strings.Fields(in.Completion)
	if len(words) == 0 || normalise(words[len(words)-1]) != normalise(in.Answer) {
		return 0, nil
	}
	over := float64(max(0, len(words)-r.Budget)) / float64(r.Budget)
	return 1 - r.Penalty*min(1, over), nil
}

// normalise lower-cases a word and trims punctuation around it ("Even." -> "even").
func normalise(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(c rune) bool { return unicode.IsPunct(c) || unicode.IsSpace(c) }))
}
