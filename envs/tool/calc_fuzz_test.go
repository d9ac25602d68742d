package tool

import (
	"strings"
	"testing"
)

// FuzzEval checks that an episode answers any text, that the calculator never panics, never exceeds its size limits, and that what
// it accepts is consistent: the written result, evaluated again, gives the same value.
func FuzzEval(f *testing.F) {
	for _, seed := range []string{
		"47*83", "1+2*3", "(1+2)*3", "-(4-7)/2", "7/2", "1/0", "", "((((1))))", "3--2",
		"999999999999*999999999999", "1/3+1/6", "<calc>1</calc>", "1 + 2", ")(", "9/(3-3)",
		strings.Repeat("(", 17) + "1" + strings.Repeat(")", 17),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		// Raw text as a whole turn: an episode must answer it without error or panic.
		ep, _ := (&Env{cfg: Config{MaxTurns: 2}}).Reset(task4783)
		if _, err := ep.Step(expr); err != nil {
			t.Fatalf("Step(%q): %v", expr, err)
		}
		v, err := Eval(expr)
		obs := RunCall(Call(expr))
		if err != nil {
			if obs != Observation(ErrorResult) {
				t.Fatalf("Eval(%q) failed (%v) but RunCall gave %q", expr, err, obs)
			}
			return
		}
		if len(expr) > MaxExprLen {
			t.Fatalf("Eval accepted %d bytes, over MaxExprLen", len(expr))
		}
		if v.Num().BitLen() > MaxValueBits || v.Denom().BitLen() > MaxValueBits {
			t.Fatalf("Eval(%q) = %v exceeds MaxValueBits", expr, v)
		}
		out := FormatValue(v)
		if obs != Observation(out) {
			t.Fatalf("RunCall(Call(%q)) = %q, want %q", expr, obs, Observation(out))
		}
		if len(strings.TrimPrefix(v.Num().String(), "-")) <= MaxLiteralLen && len(v.Denom().String()) <= MaxLiteralLen {
			again, err := Eval(out)
			if err != nil || again.Cmp(v) != 0 {
				t.Fatalf("Eval(%q) = %s, but Eval(%q) = %v, %v", expr, out, out, again, err)
			}
		}
	})
}
