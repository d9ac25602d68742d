package envs

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"grit/plugins"
	"grit/rewards"
)

// CountdownVerdict is the outcome of checking a countdown answer.
type CountdownVerdict int

const (
	CountdownNoAnswer   CountdownVerdict = iota // nothing that parses as an expression
	CountdownWellFormed                         // parses, but misuses the numbers, divides by zero or misses the target
	CountdownSolved                             // uses each number once and reaches the target
)

// CheckCountdown verifies the expression in a completion against the numbers and target. The
// expression is the text of the last <answer>...</answer> or \boxed{} if there is one, else the
// whole completion; a trailing "= ..." is ignored. reason explains any verdict short of solved.
func CheckCountdown(completion string, numbers []int64, target int64) (verdict CountdownVerdict, reason string) {
	text := countdownExpressionText(completion)
	if text == "" {
		return CountdownNoAnswer, "no expression in the completion"
	}
	e, err := ParseExpr(text)
	if err != nil {
		return CountdownNoAnswer, "not an expression: " + err.Error()
	}
	value, err := e.Eval()
	if err != nil {
		return CountdownWellFormed, err.Error()
	}
	if !sameNumbers(e.Numbers(), numbers) {
		return CountdownWellFormed, fmt.Sprintf("uses %v, not each of %v exactly once", e.Numbers(), numbers)
	}
	if value.Cmp(new(big.Rat).SetInt64(target)) != 0 {
		return CountdownWellFormed, fmt.Sprintf("evaluates to %s, not %d", value.RatString(), target)
	}
	return CountdownSolved, ""
}

// countdownExpressionText picks the expression out of a completion.
func countdownExpressionText(completion string) string {
	text, ok := rewards.ExtractAnswerTag(completion)
	if !ok {
		text, ok = rewards.ExtractBoxed(completion)
	}
	if !ok {
		text = completion
	}
	if i := strings.IndexByte(text, '='); i >= 0 {
		text = text[:i]
	}
	return strings.TrimSpace(text)
}

// sameNumbers reports whether used is a permutation of given.
func sameNumbers(used []*big.Int, given []int64) bool {
	if len(used) != len(given) {
		return false
	}
	want := slices.Clone(given)
	slices.Sort(want)
	got := make([]int64, len(used))
	for i, u := range used {
		if !u.IsInt64() {
			return false
		}
		got[i] = u.Int64()
	}
	slices.Sort(got)
	return slices.Equal(got, want)
}

// CountdownReward is the countdown reward: 1 when solved, FormatValue (0.1)
// when the expression is well-formed but wrong or misuses the numbers, 0 when there is none.
type CountdownReward struct {
	Label       string  // component name ("countdown")
	FormatValue float64 // reward of a well-formed but wrong expression (args key format_score)
}

// Name is the component name.
func (c CountdownReward) Name() string { return c.Label }

// Correct makes CountdownReward a Judge: 1 is solved.
func (c CountdownReward) Correct(value float64) bool { return value == 1 }

// Grade reads the numbers and target from in.Meta ("numbers": "3 5 7", "target": "22").
func (c CountdownReward) Grade(in rewards.Input) (float64, error) {
	numbers, target, err := countdownProblem(in.Meta)
	if err != nil {
		return 0, err
	}
	switch v, _ := CheckCountdown(in.Completion, numbers, target); v {
	case CountdownSolved:
		return 1, nil
	case CountdownWellFormed:
		return c.FormatValue, nil
	}
	return 0, nil
}

// countdownProblem reads the problem from task metadata.
func countdownProblem(meta map[string]string) ([]int64, int64, error) {
	var numbers []int64
	for _, f := range strings.Fields(meta["numbers"]) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("Meta[\"numbers\"] = %q is not a list of integers", meta["numbers"])
		}
		numbers = append(numbers, n)
	}
	if len(numbers) == 0 {
		return nil, 0, fmt.Errorf("task has no Meta[\"numbers\"] (space-separated integers)")
	}
	target, err := strconv.ParseInt(meta["target"], 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("Meta[\"target\"] = %q is not an integer", meta["target"])
	}
	return numbers, target, nil
}

func newCountdownReward(p map[string]any) (rewards.Func, error) {
	a := plugins.NewArgs(p)
	c := CountdownReward{Label: a.String("name", "countdown"), FormatValue: a.Float("format_score", 0.1)}
	return c, a.Done()
}
