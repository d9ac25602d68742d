// Package exprtest generates inputs for tests of expression parsers: well-formed expressions,
// mutated ones, and token soup over the grammar's alphabet plus bytes outside it.
package exprtest

import (
	"math/rand/v2"
	"strings"
)

// alphabet is what Random draws tokens from: the grammar's own tokens, every kind of space the
// dialects treat differently, × and ÷, and bytes no dialect accepts (NUL, a letter, '.', '^', a
// stray UTF-8 lead byte, a tag bracket).
var alphabet = []string{
	"0", "1", "2", "7", "9", "12", "007", "999999999999", "1234567890123", "1234567890123456789",
	"+", "-", "*", "/", "(", ")", "(", ")",
	" ", " ", "\t", "\n", "\r", "×", "÷",
	"\x00", "x", ".", "^", "\xc3", "<",
}

// Random returns one test input. About half are expressions of the grammar (some with a byte
// deleted, inserted or replaced), the rest are wide products, token soup, deep nesting or very long inputs.
func Random(r *rand.Rand) string {
	switch k := r.IntN(20); {
	case k < 7:
		return Expression(r, 1+r.IntN(5))
	case k < 10:
		return mutate(r, Expression(r, 1+r.IntN(5)))
	case k < 12:
		return wide(r)
	case k < 17:
		var b strings.Builder
		for n := r.IntN(25); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	case k < 19:
		// nesting around the depth limits (16 signs and parentheses, 100 parentheses)
		n := 10 + r.IntN(100)
		open := strings.Repeat([]string{"(", "-", "(-"}[r.IntN(3)], n)
		return open + Expression(r, 2) + strings.Repeat(")", n-r.IntN(3))
	default:
		// lengths around the byte limits (64 and 1000)
		parts := make([]string, 10+r.IntN(400))
		for i := range parts {
			parts[i] = Expression(r, 1)
		}
		return strings.Join(parts, []string{"+", "*", "-", "/"}[r.IntN(4)])
	}
}

// Expression returns a well-formed expression of nesting depth at most depth, with unary minus
// signs, × and ÷, and spaces sprinkled in (so a dialect without them rejects some).
func Expression(r *rand.Rand, depth int) string {
	space := func() string {
		if r.IntN(4) > 0 {
			return ""
		}
		return []string{" ", "  ", "\t", "\n", "\r"}[r.IntN(5)]
	}
	var operand string
	switch {
	case depth <= 0 || r.IntN(3) == 0:
		operand = number(r)
	default:
		operand = "(" + space() + Expression(r, depth-1) + space() + ")"
	}
	if r.IntN(8) == 0 {
		operand = "-" + space() + operand
	}
	if depth <= 0 || r.IntN(3) == 0 {
		return operand
	}
	ops := []string{"+", "-", "*", "/", "+", "-", "*", "/", "×", "÷"}
	return operand + space() + ops[r.IntN(len(ops))] + space() + Expression(r, depth-1)
}

// wide returns a product or quotient of 3 to 5 long literals, whose value is wider than the
// calculator's 128 bits, sometimes followed by a malformed tail (so the size error must come first).
func wide(r *rand.Rand) string {
	var b strings.Builder
	for i := 3 + r.IntN(3); i > 0; i-- {
		b.WriteString(strings.Repeat("9", 9+r.IntN(4)))
		if i > 1 {
			b.WriteString([]string{"*", "*", "/"}[r.IntN(3)])
		}
	}
	b.WriteString([]string{"", "", "+", "/0", ")", "x"}[r.IntN(6)])
	return b.String()
}

// number returns a literal: mostly short, sometimes 0 (to divide by), sometimes at or past the
// literal limits (12 and 18 digits).
func number(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return "0"
	case 1:
		n := 10 + r.IntN(12)
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	}
	return []string{"1", "2", "3", "7", "10", "25", "100", "999", "0001", "65536"}[r.IntN(10)]
}

// mutate deletes, inserts or replaces one byte of s.
func mutate(r *rand.Rand, s string) string {
	if s == "" {
		return alphabet[r.IntN(len(alphabet))]
	}
	i := r.IntN(len(s))
	tok := alphabet[r.IntN(len(alphabet))]
	switch r.IntN(3) {
	case 0:
		return s[:i] + s[i+1:]
	case 1:
		return s[:i] + tok + s[i:]
	}
	return s[:i] + tok + s[i+1:]
}
