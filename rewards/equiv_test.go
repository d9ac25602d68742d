package rewards

import (
	"math/big"
	"strings"
	"testing"
)

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestEquivalent(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"0.5", "1/2", true},
		{"12", "12.0001", false},
		{"-3", "- 3", true},
		{"1,234", "1234", true},
		{`\frac{1}{2}`, "0.5", true},
		{`\dfrac{3}{4}`, "0.75", true},
		{`-\frac{1}{2}`, "-0.5", true},
		{`\frac{-1}{2}`, "-1/2", true},
		{`\frac12`, "0.5", true},
		{"1/3", "0.333333", false},
		{"2/4", "1/2", true},
		{"+7", "7", true},
		{"7.", "7", true},
		{".5", "0.5", true},
		{"007", "7", true},
		{"1,234,567.5", "1234567.5", true},
		{"1,23", "123", false},
		{"$5$", "5", true},
		{`\$5`, "5", true},
		{"x = 5", "5", true},
		{`5\text{ cm}`, "5cm", true},
		{"1/0", "1/0", true}, // not a number on either side; same string
		{"1/0", "0", false},
		{"10^3", "1000", false}, // no powers (exponent notation 1e3 is a number: braces_exponent_test.go)
		{"Paris", " Paris. ", true},
		{`\left(1,2\right)`, "(1, 2)", true},
		{"(1,2)", "(2,1)", false},
		{"3", "three", false},
		{"", "", true},
		{"-0", "0", true},
		{"10000000000000000000000001", "10000000000000000000000000", false},
	}
	for _, c := range cases {
		if got := Equivalent(c.a, c.b); got != c.want {
			t.Errorf("Equivalent(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := Equivalent(c.b, c.a); got != c.want {
			t.Errorf("Equivalent(%q, %q) = %v, want %v (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestParseRational(t *testing.T) {
	cases := []struct {
		in   string
		num  int64
		den  int64
		isOK bool
	}{
		{"42", 42, 1, true},
		{"-2.50", -5, 2, true},
		{"- 2.5", -5, 2, true},
		{"1,000", 1000, 1, true},
		{"6/-4", -3, 2, true},
		{`\frac{10}{4}`, 5, 2, true},
		{`-\tfrac{1}{3}`, -1, 3, true},
		{"3/0", 0, 0, false},
		{"10^5", 0, 0, false},
		{"abc", 0, 0, false},
		{"--3", 0, 0, false},
		{strings.Repeat("9", maxNumberLen+1), 0, 0, false},
	}
	for _, c := range cases {
		r, ok := ParseRational(c.in)
		if ok != c.isOK {
			t.Errorf("ParseRational(%q) ok = %v, want %v", c.in, ok, c.isOK)
			continue
		}
		if ok && r.Cmp(big.NewRat(c.num, c.den)) != 0 {
			t.Errorf("ParseRational(%q) = %v, want %d/%d", c.in, r, c.num, c.den)
		}
	}
}

func FuzzEquivalent(f *testing.F) {
	for _, s := range [][2]string{{"0.5", "1/2"}, {`\frac{1}{2}`, "0.5"}, {"1,234", "1234"}, {"- 3", "-3"},
		{`\frac{`, "}"}, {"1/0", "0/1"}, {"$x = 5$.", "5"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if Equivalent(a, b) != Equivalent(b, a) {
			t.Errorf("Equivalent(%q, %q) is not symmetric", a, b)
		}
		if !Equivalent(a, a) {
			t.Errorf("Equivalent(%q, itself) is false", a)
		}
		// a parsed number must agree with its own canonical rendering
		if r, ok := ParseRational(a); ok {
			if r2, ok2 := ParseRational(r.RatString()); !ok2 || r.Cmp(r2) != 0 {
				t.Errorf("ParseRational(%q) = %v does not round-trip", a, r)
			}
		}
	})
}
