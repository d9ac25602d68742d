package tool

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"grit/envs/expr/exprtest"
)

// calcSeeds are inputs at every error path of the calculator, for FuzzEvalMatchesLegacy,
// including errors that precede a later one in the input (the calculator reports the first).
var calcSeeds = []string{
	"47*83", "1+2*3", "-(4-7)/2", "7/2", "3--2", "1/0", "1/0+", "1/0)", "1/(3-3)x", "", " ", "1 + 2",
	"1\t+2", "3×4", ")(", "(1", "1 2", "2*x", "1.5", "\x00", "1+\x00", "\x001", "-\x00", "(\x00",
	strings.Repeat("(", 16) + "1" + strings.Repeat(")", 16), strings.Repeat("(", 17) + "1" + strings.Repeat(")", 17),
	strings.Repeat("-", 16) + "1", strings.Repeat("-", 17) + "1", "1234567890123+1", "123456789012+1",
	"999999999999*999999999999*999999999999*999999999999+", "999999999999*999999999999*999999999999*999999999999/0",
	"1/999999999999/999999999999/999999999999/99999999", strings.Repeat("1+", 32) + "1", strings.Repeat("1+", 31) + "1",
}

func calcOutcome(v fmt.Stringer, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return "value " + v.String()
}

// legacyNULMessage is the one intended difference: the old calculator took a NUL byte where an
// operand belongs for the end of the input ("expression ends where a number or '(' was
// expected"); the shared parser names the byte. Both reject the input, so RunCall's observation
// is the same "<r>error</r>".
func legacyNULMessage(s, got, want string) bool {
	const ends = "error: expression ends where a number or '(' was expected"
	if want != ends || !strings.HasPrefix(got, `error: unexpected '\x00' at byte `) {
		return false
	}
	var at int
	if _, err := fmt.Sscanf(got, `error: unexpected '\x00' at byte %d where a number or '(' was expected`, &at); err != nil {
		return false
	}
	return at < len(s) && s[at] == 0
}

// FuzzEvalMatchesLegacy checks that Eval (now grit/envs/expr) and the calculator it replaced agree
// on every input: the same value or the same error text, so the first error in input order.
func FuzzEvalMatchesLegacy(f *testing.F) {
	for _, s := range calcSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := calcOutcome(Eval(s)), calcOutcome(legacyEval(s))
		if got != want && !legacyNULMessage(s, got, want) {
			t.Fatalf("Eval(%q):\n got  %s\n want %s", s, got, want)
		}
		if (RunCall(Call(s)) == Observation(ErrorResult)) != strings.HasPrefix(want, "error: ") && !strings.ContainsAny(s, "<>") {
			t.Fatalf("RunCall(Call(%q)) = %q disagrees with the old calculator's %s", s, RunCall(Call(s)), want)
		}
	})
}

// TestEvalMatchesLegacyRandom runs the same comparison on generated inputs and checks that they
// reach every kind of outcome, so the comparison covers more than syntax errors.
func TestEvalMatchesLegacyRandom(t *testing.T) {
	n := 50000
	if testing.Short() {
		n = 5000
	}
	r := rand.New(rand.NewPCG(3, 4))
	kinds := []string{"error: unexpected", "error: missing", "error: expression ends", "error: expression is",
		"error: signs and parentheses", "error: number at", "error: division by zero", "error: intermediate value", "value"}
	counts := make([]int, len(kinds))
	nul := 0
	for range n {
		s := exprtest.Random(r)
		got, want := calcOutcome(Eval(s)), calcOutcome(legacyEval(s))
		if got != want {
			if !legacyNULMessage(s, got, want) {
				t.Fatalf("Eval(%q):\n got  %s\n want %s", s, got, want)
			}
			nul++
		}
		for i, k := range kinds {
			if strings.HasPrefix(want, k) {
				counts[i]++
			}
		}
	}
	for i, k := range kinds {
		if counts[i] < n/1000 {
			t.Errorf("only %d of %d inputs had an outcome %q; the generator no longer covers it", counts[i], n, k)
		}
	}
	t.Logf("outcomes of %d inputs: %v %v; %d with the NUL message difference", n, kinds, counts, nul)
}

// TestEvalNamesNULByte: a NUL byte where an operand belongs is reported as that byte, not as the
// end of the input (the old calculator's message, kept in legacyEval).
func TestEvalNamesNULByte(t *testing.T) {
	for in, want := range map[string]string{
		"1+\x00":  `unexpected '\x00' at byte 2 where a number or '(' was expected`,
		"(\x001)": `unexpected '\x00' at byte 1 where a number or '(' was expected`,
		"1\x00":   `unexpected '\x00' at byte 1`,
	} {
		if _, err := Eval(in); err == nil || err.Error() != want {
			t.Errorf("Eval(%q) error %v, want %q", in, err, want)
		}
		if RunCall(Call(in)) != Observation(ErrorResult) {
			t.Errorf("RunCall(Call(%q)) is not the error observation", in)
		}
	}
}
