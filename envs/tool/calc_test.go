package tool

import (
	"math/big"
	"strings"
	"testing"
)

func TestEvalTable(t *testing.T) {
	cases := []struct {
		expr, want string
	}{
		{"47*83", "3901"},
		{"1+2*3", "7"},      // * binds tighter than +
		{"(1+2)*3", "9"},    // parentheses first
		{"10-4-3", "3"},     // left associative
		{"10-(4-3)", "9"},   //
		{"2*3-10", "-4"},    // negative result
		{"-5+2", "-3"},      // unary minus
		{"-(2+3)*2", "-10"}, //
		{"3--2", "5"},       // binary then unary minus
		{"12/4", "3"},       // exact division
		{"7/2", "7/2"},      // inexact division stays a fraction
		{"-7/2", "-7/2"},    //
		{"6/4", "3/2"},      // reduced
		{"1/3+1/6", "1/2"},  // exact rational arithmetic
		{"8/2/2", "2"},      // left associative division
		{" 12 + 3 * ( 4 ) ", "24"},
		{"007+1", "8"},
		{"999999999999*999999999999", "999999999998000000000001"},
	}
	for _, c := range cases {
		v, err := Eval(c.expr)
		if err != nil {
			t.Errorf("Eval(%q): %v", c.expr, err)
			continue
		}
		if got := FormatValue(v); got != c.want {
			t.Errorf("Eval(%q) = %s, want %s", c.expr, got, c.want)
		}
	}
}

// TestEvalMatchesInt64 checks Eval against Go's own integer arithmetic on random-looking
// expressions of the shapes the tasks use.
func TestEvalMatchesInt64(t *testing.T) {
	for a := int64(0); a < 1000; a += 37 {
		for b := int64(0); b < 100; b += 7 {
			for _, c := range []struct {
				op   string
				want int64
			}{{"+", a + b}, {"-", a - b}, {"*", a * b}} {
				expr := big.NewInt(a).String() + c.op + big.NewInt(b).String()
				v, err := Eval(expr)
				if err != nil || !v.IsInt() || v.Num().Int64() != c.want {
					t.Fatalf("Eval(%q) = %v, %v; want %d", expr, v, err, c.want)
				}
			}
		}
	}
}

func TestEvalRejects(t *testing.T) {
	cases := map[string]string{
		"empty":             "",
		"trailing operator": "1+",
		"letters":           "2*x",
		"unclosed":          "(1+2",
		"stray close":       "1+2)",
		"two numbers":       "1 2",
		"division by zero":  "5/(3-3)",
		"decimal point":     "1.5*2",
		"too long":          strings.Repeat("1+", 40) + "1",
		"long literal":      "1234567890123+1",
		"deep parentheses":  strings.Repeat("(", 20) + "1" + strings.Repeat(")", 20),
		"many minus signs":  strings.Repeat("-", 30) + "1",
		"huge value":        "999999999999*999999999999*999999999999*999999999999",
		"tiny fraction":     "1/999999999999/999999999999/999999999999/99999999",
		"unicode":           "3×4",
		"tab":               "1\t+2",
	}
	for name, expr := range cases {
		if v, err := Eval(expr); err == nil {
			t.Errorf("%s: Eval(%q) = %v, want an error", name, expr, v)
		}
	}
	if _, err := Eval("1/0"); err != ErrDivideByZero {
		t.Errorf("Eval(1/0) error = %v, want ErrDivideByZero", err)
	}
}

func TestRunCall(t *testing.T) {
	cases := []struct {
		text, want string
	}{
		{"<calc>47*83</calc>", "<r>3901</r>"},
		{" <calc>7/2</calc>\n", "<r>7/2</r>"},
		{"<calc>2-5</calc>", "<r>-3</r>"},
		{"<calc>1/0</calc>", "<r>error</r>"},
		{"<calc></calc>", "<r>error</r>"},
		{"<calc>1+1", "<r>error</r>"},
		{"1+1</calc>", "<r>error</r>"},
		{"<calc><calc>1</calc></calc>", "<r>error</r>"},
		{"<calc>1<r>2</r></calc>", "<r>error</r>"},
		{"x<calc>1+1</calc>", "<r>error</r>"},
		{"<calc>1+1</calc>2", "<r>error</r>"},
		{"<calc>" + strings.Repeat("9", 200) + "</calc>", "<r>error</r>"},
		{"<calc", "<r>error</r>"},
	}
	for _, c := range cases {
		if !IsCall(c.text) {
			t.Errorf("IsCall(%q) = false", c.text)
		}
		if got := RunCall(c.text); got != c.want {
			t.Errorf("RunCall(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	for _, answer := range []string{"3901", "-3", "the answer is 7", "<r>3</r>", ""} {
		if IsCall(answer) {
			t.Errorf("IsCall(%q) = true for an answer", answer)
		}
	}
}

func TestIsBareAnswer(t *testing.T) {
	for text, want := range map[string]bool{
		"0": true, "3901": true, "-12": true,
		"": false, "-": false, "-0": false, "012": false, "+5": false, " 5": false, "5\n": false,
		"3,901": false, "3901.0": false, "7/2": false, "a": false,
	} {
		if got := IsBareAnswer(text); got != want {
			t.Errorf("IsBareAnswer(%q) = %v, want %v", text, got, want)
		}
	}
}
