package envs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"grit/envs/expr/exprtest"
)

// countdownSeeds are inputs at every error path of the parser, for FuzzCountdownMatchesLegacy.
var countdownSeeds = []string{
	"3*5+7", "3 * (5 + 7)", "8-(3-1)", "8/(4/2)", "1/3+1/6", "6×7÷2", "6×x", "÷", "1/0", "1/0+",
	"1/(2-2)", "-3+5", "3+", "(3+5", "3+5)", "3 5", "", " ", "\t1\n+\r2", "2^3", "3.5+1", "abs(3)",
	"\x00", "1+\x00", "1\x00", "\xc3", "7×\xc3", strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100),
	strings.Repeat("(", 101) + "1" + strings.Repeat(")", 101), "123456789012345678+1",
	"1234567890123456789+1", strings.Repeat("1+", 500) + "1", strings.Repeat("1+", 499) + "1",
}

// countdownOutcome is everything a caller of a countdown parser can observe for s.
func countdownOutcome[E interface {
	fmt.Stringer
	comparable
}](e E, err error, numbers func() string, eval func() string) string {
	var zero E
	if err != nil {
		if e != zero {
			return "error with a tree: " + err.Error()
		}
		return "parse error: " + err.Error()
	}
	return "tree " + e.String() + " numbers " + numbers() + " value " + eval()
}

func evalText(v fmt.Stringer, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return v.String()
}

func newCountdownOutcome(s string) string {
	e, err := ParseExpr(s)
	return countdownOutcome(e, err,
		func() string { return fmt.Sprint(e.Numbers()) },
		func() string { v, err := e.Eval(); return evalText(v, err) })
}

func legacyCountdownOutcome(s string) string {
	e, err := legacyParseExpr(s)
	return countdownOutcome(e, err,
		func() string { return fmt.Sprint(e.Numbers()) },
		func() string { v, err := e.Eval(); return evalText(v, err) })
}

// FuzzCountdownMatchesLegacy checks that ParseExpr (now grit/envs/expr) and the parser it replaced
// agree on every input: same error text, or the same tree, literals and value (or Eval error).
func FuzzCountdownMatchesLegacy(f *testing.F) {
	for _, s := range countdownSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := newCountdownOutcome(s), legacyCountdownOutcome(s); got != want {
			t.Fatalf("ParseExpr(%q):\n got  %s\n want %s", s, got, want)
		}
	})
}

// TestCountdownMatchesLegacyRandom runs the same comparison on generated inputs: expressions of
// the grammar, mutated ones, token soup, deep nesting and long inputs. It also counts how many
// inputs reach each kind of outcome, so the comparison is known to cover more than parse errors.
func TestCountdownMatchesLegacyRandom(t *testing.T) {
	n := 50000
	if testing.Short() {
		n = 5000
	}
	r := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"parse error: unexpected", "parse error: missing", "parse error: expression ends",
		"parse error: expression is", "parse error: parentheses", "parse error: number at", "tree", "tree with value error"}
	counts := make([]int, len(kinds))
	for range n {
		s := exprtest.Random(r)
		got, want := newCountdownOutcome(s), legacyCountdownOutcome(s)
		if got != want {
			t.Fatalf("ParseExpr(%q):\n got  %s\n want %s", s, got, want)
		}
		countKinds(got, kinds, counts)
	}
	checkCoverage(t, n, kinds, counts)
}

// countKinds counts outcome o under every kind it starts with; "... with value error" kinds
// count trees whose evaluation failed.
func countKinds(o string, kinds []string, counts []int) {
	for i, k := range kinds {
		if base, ok := strings.CutSuffix(k, " with value error"); ok {
			if strings.HasPrefix(o, base) && strings.Contains(o, " value error: ") {
				counts[i]++
			}
		} else if strings.HasPrefix(o, k) {
			counts[i]++
		}
	}
}

// checkCoverage fails when a kind of outcome was reached by fewer than 1 in 1000 inputs: then the
// generator no longer exercises that path and the comparison proves less than it claims.
func checkCoverage(t *testing.T, n int, kinds []string, counts []int) {
	t.Helper()
	for i, k := range kinds {
		if counts[i] < n/1000 {
			t.Errorf("only %d of %d inputs had an outcome %q", counts[i], n, k)
		}
	}
	t.Logf("outcomes of %d inputs: %v %v", n, kinds, counts)
}
