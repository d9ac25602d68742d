package rewards

import (
	"math/big"
	"testing"
)

// An answer wrapped in redundant braces inside \boxed{} is the same answer.
func TestBoxedRedundantBraces(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`so \boxed{{42}}`, "42"},
		{`\boxed{ {{-7}} }`, "-7"},
		{`\boxed{{\frac{1}{2}}}`, `\frac{1}{2}`},
		{`\boxed{{1}+{2}}`, "{1}+{2}"}, // the braces do not wrap the whole answer: kept
	} {
		got, ok := ExtractBoxed(tc.in)
		if !ok || got != tc.want {
			t.Errorf("ExtractBoxed(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	if !Equivalent("{42}", "42") {
		t.Errorf(`Equivalent("{42}", "42") = false; redundant braces must not change an answer`)
	}
	if Equivalent(`\{42\}`, "42") {
		t.Errorf(`Equivalent("\{42\}", "42") = true; escaped braces are a set, not grouping`)
	}
	c := Correctness{Label: "correct", Extract: ExtractAnswer}
	if v, err := c.Grade(Input{Completion: `\boxed{{42}}`, Answer: "42"}); err != nil || v != 1 {
		t.Errorf(`correct(\boxed{{42}}, 42) = %v, %v; want 1`, v, err)
	}
}

// Numbers in exponent notation are read exactly as rationals.
func TestExponentNotation(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want *big.Rat
	}{
		{"1e3", big.NewRat(1000, 1)},
		{"2.5E-2", big.NewRat(1, 40)},
		{"-4e+2", big.NewRat(-400, 1)},
		{".5e1", big.NewRat(5, 1)},
		{"3E0", big.NewRat(3, 1)},
	} {
		got, ok := ParseRational(tc.in)
		if !ok || got.Cmp(tc.want) != 0 {
			t.Errorf("ParseRational(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"1e", "e3", "1e3.5", "1e99999", "1e-99999", "1ee3", "1e+"} {
		if r, ok := ParseRational(bad); ok {
			t.Errorf("ParseRational(%q) = %v; want refused", bad, r)
		}
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1e3", "1000", true},
		{"2.5E-2", "1/40", true},
		{"1e-3", "0.001", true},
		{"1e3", "1001", false},
	} {
		if got := Equivalent(tc.a, tc.b); got != tc.want {
			t.Errorf("Equivalent(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"the answer is 1e3", "1e3"},
		{"about 2.5E-2 m", "2.5E-2"},
		{"x = -4e+2", "-4e+2"},
		{"2eggs and 3", "3"},
		{"1e", "1"},
	} {
		got, ok := ExtractLastNumber(tc.in)
		if !ok || got != tc.want {
			t.Errorf("ExtractLastNumber(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}
