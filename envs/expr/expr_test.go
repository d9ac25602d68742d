package expr

import (
	"errors"
	"testing"
)

var calcLike = Options{UnaryMinus: true, Space: " ", MaxLen: 64, MaxDepth: 16, MaxLiteralDigits: 12, MaxValueBits: 128}

func TestParseEvalValues(t *testing.T) {
	cases := []struct{ in, value, printed string }{
		{"1+2*3", "7", "1+2*3"},
		{"(1+2)*3", "9", "(1+2)*3"},
		{"10-4-3", "3", "10-4-3"},
		{"10-(4-3)", "9", "10-(4-3)"},
		{"8/2/2", "2", "8/2/2"},
		{"8/(2/2)", "8", "8/(2/2)"},
		{"7/2", "7/2", "7/2"},
		{"1/3+1/6", "1/2", "1/3+1/6"}, // 2/6 + 1/6 = 3/6
		{"-(2+3)*2", "-10", "-(2+3)*2"},
		{"3--2", "5", "3--2"},
		{"--2", "2", "--2"},
		{" 007 + 1 ", "8", "7+1"},
	}
	for _, c := range cases {
		n, v, err := calcLike.ParseEval(c.in)
		if err != nil || v.RatString() != c.value || n.String() != c.printed {
			t.Errorf("ParseEval(%q) = %v, %v, %v; want %s, %s", c.in, n, v, err, c.printed, c.value)
			continue
		}
		again, err := calcLike.Parse(n.String())
		if err != nil || again.String() != n.String() {
			t.Errorf("printed %q does not parse back to itself: %v, %v", n.String(), again, err)
		}
		if w, err := n.Eval(); err != nil || w.Cmp(v) != 0 {
			t.Errorf("Node.Eval of %q = %v, %v; ParseEval gave %v", c.in, w, err, v)
		}
	}
}

func TestDialects(t *testing.T) {
	plain := Options{Space: " \t"}
	uni := Options{UnicodeOps: true}
	cases := []struct {
		opts    Options
		in, err string // err "" means it parses
	}{
		{plain, "-1", `unexpected '-' at byte 0 where a number or '(' was expected`},
		{calcLike, "-1", ""},
		{plain, "1\t+ 2", ""},
		{calcLike, "1\t+2", `unexpected '\t' at byte 1`},
		{plain, "6×7", `unexpected 'Ã' at byte 1`}, // the first byte of ×
		{uni, "6×7÷2", ""},
		{uni, "6×x", `unexpected 'x' at byte 2 where a number or '(' was expected`}, // offsets count the replaced text "6*x"
		{calcLike, "((1", `missing ')' at byte 3`},
		{calcLike, "1+", `expression ends where a number or '(' was expected`},
		{calcLike, "1234567890123", `number at byte 0 has more than 12 digits`},
		{calcLike, "1/0", ""}, // Parse does not evaluate
		{Options{MaxDepth: 2}, "((1))", ""},
		{Options{MaxDepth: 2}, "(((1)))", `parentheses nest deeper than 2`},
		{Options{MaxDepth: 2, UnaryMinus: true}, "(--1)", `signs and parentheses nest deeper than 2`},
		{Options{MaxLen: 3}, "1+23", `expression is 4 bytes long; at most 3 are accepted`},
	}
	for _, c := range cases {
		_, err := c.opts.Parse(c.in)
		if got := errText(err); got != c.err {
			t.Errorf("%+v.Parse(%q) error %q, want %q", c.opts, c.in, got, c.err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestFirstErrorInInputOrder: ParseEval reports what goes wrong first, reading left to right;
// Parse followed by Eval reports syntax errors before evaluation errors.
func TestFirstErrorInInputOrder(t *testing.T) {
	wide := "999999999999*999999999999*999999999999*999999999999" // about 4*39.9 = 160 bits
	cases := []struct{ in, parseEval, parseThenEval string }{
		{"1/0+", "division by zero", `expression ends where a number or '(' was expected`},
		{"1/(2-2)x", "division by zero", `unexpected 'x' at byte 7`},
		{wide + "+", "intermediate value exceeds 128 bits", `expression ends where a number or '(' was expected`},
		{"x+1/0", `unexpected 'x' at byte 0 where a number or '(' was expected`, `unexpected 'x' at byte 0 where a number or '(' was expected`},
		{"2*(1/0)", "division by zero", "division by zero"},
	}
	opts := calcLike
	opts.MaxLen = 0
	for _, c := range cases {
		_, _, err := opts.ParseEval(c.in)
		if errText(err) != c.parseEval {
			t.Errorf("ParseEval(%q) error %q, want %q", c.in, errText(err), c.parseEval)
		}
		n, err := opts.Parse(c.in)
		if err == nil {
			_, err = opts.Eval(n)
		}
		if errText(err) != c.parseThenEval {
			t.Errorf("Parse+Eval(%q) error %q, want %q", c.in, errText(err), c.parseThenEval)
		}
	}
	if _, _, err := opts.ParseEval("1/0"); !errors.Is(err, ErrDivideByZero) {
		t.Errorf("1/0 error %v, want ErrDivideByZero", err)
	}
}

// TestValueBits checks the limit at its edge: 2^64 * 2^64 = 2^128 has 129 bits, 2^64 * (2^64-1)
// fewer than 129; the limit applies to denominators too.
func TestValueBits(t *testing.T) {
	opts := Options{MaxValueBits: 128}
	for in, ok := range map[string]bool{
		"18446744073709551616*18446744073709551615":   true,  // < 2^128
		"18446744073709551616*18446744073709551616":   false, // = 2^128, 129 bits
		"1/18446744073709551616/18446744073709551615": true,
		"1/18446744073709551616/18446744073709551616": false,
		"18446744073709551616*18446744073709551616/2": false, // checked after every operation
	} {
		n, err := opts.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := opts.Eval(n); (err == nil) != ok {
			t.Errorf("Eval(%q) error %v, want ok=%v", in, err, ok)
		}
		if _, err := n.Eval(); err != nil {
			t.Errorf("Node.Eval(%q) has no bit limit but failed: %v", in, err)
		}
	}
}

func TestNumbers(t *testing.T) {
	n, err := calcLike.Parse("(3+-5)*7/--2")
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, x := range n.Numbers() {
		got = append(got, x.Int64())
	}
	if len(got) != 4 || got[0] != 3 || got[1] != 5 || got[2] != 7 || got[3] != 2 {
		t.Errorf("Numbers() = %v, want [3 5 7 2]", got)
	}
}
