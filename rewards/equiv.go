package rewards

import (
	"math/big"
	"regexp"
	"strings"
)

// maxNumberLen bounds the literals ParseRational accepts, so that hostile input cannot make it
// allocate huge numbers.
const maxNumberLen = 400

var (
	decimalPattern   = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)$`)
	thousandsPattern = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`)
	fracPattern      = regexp.MustCompile(`^([+-]?)\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}$`)
	shortFracPattern = regexp.MustCompile(`^([+-]?)\\[dt]?frac(\d)(\d)$`)
	assignPattern    = regexp.MustCompile(`^[a-zA-Z]\s*=\s*(.+)$`)
	textMacroPattern = regexp.MustCompile(`\\(?:text|textbf|mathrm|mathbf)\{([^{}]*)\}`)
)

// Equivalent reports whether two answers are the same. When both read as numbers (integers,
// decimals, fractions a/b or \frac{a}{b}, signs, thousands separators) they are compared
// exactly as rationals: 0.5 = 1/2 = \frac{1}{2}, 1,234 = 1234, -3 = - 3, but 12 != 12.0001.
// Otherwise their normalised strings (NormalizeAnswer) must be equal.
func Equivalent(a, b string) bool {
	na, nb := NormalizeAnswer(a), NormalizeAnswer(b)
	ra, aIsNumber := ParseRational(na)
	rb, bIsNumber := ParseRational(nb)
	if aIsNumber && bIsNumber {
		return ra.Cmp(rb) == 0
	}
	if aIsNumber != bIsNumber {
		return false
	}
	return na == nb
}

// NormalizeAnswer puts an answer in a canonical written form: no surrounding whitespace, $ or
// \( \) delimiters, \text{} / \mathrm{} wrappers, \left / \right, LaTeX spacing, a leading
// "x =", a final period, spaces, \dfrac and \tfrac (written \frac).
func NormalizeAnswer(s string) string {
	s = strings.TrimSpace(s)
	s = textMacroPattern.ReplaceAllString(s, "$1")
	s = strings.NewReplacer(
		`\left`, "", `\right`, "", `\!`, "", `\,`, "", `\;`, "", `\:`, "", `\ `, "",
		`\(`, "", `\)`, "", `\[`, "", `\]`, "", `\$`, "", "$", "",
		`\dfrac`, `\frac`, `\tfrac`, `\frac`,
	).Replace(s)
	s = strings.TrimSpace(s)
	if m := assignPattern.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	return strings.Join(strings.Fields(s), "")
}

// ParseRational reads s as an exact number: an integer or decimal (with optional sign, spaces
// after the sign and thousands separators), a fraction p/q of two such numbers, or
// \frac{p}{q}. It never evaluates anything else (no exponents, no expressions).
func ParseRational(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxNumberLen {
		return nil, false
	}
	if m := fracPattern.FindStringSubmatch(s); m != nil {
		return ratio(m[1], m[2], m[3])
	}
	if m := shortFracPattern.FindStringSubmatch(s); m != nil {
		return ratio(m[1], m[2], m[3])
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return ratio("", s[:i], s[i+1:])
	}
	return parseDecimal(s)
}

// ratio parses sign (num/den) and fails on a zero denominator.
func ratio(sign, num, den string) (*big.Rat, bool) {
	p, ok := parseDecimal(num)
	if !ok {
		return nil, false
	}
	q, ok := parseDecimal(den)
	if !ok || q.Sign() == 0 {
		return nil, false
	}
	r := new(big.Rat).Quo(p, q)
	if sign == "-" {
		r.Neg(r)
	}
	return r, true
}

// parseDecimal reads a signed integer or decimal, allowing spaces after the sign and
// thousands separators.
func parseDecimal(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 1 && (s[0] == '-' || s[0] == '+') {
		s = s[:1] + strings.TrimLeft(s[1:], " ")
	}
	if thousandsPattern.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	if !decimalPattern.MatchString(s) {
		return nil, false
	}
	s = strings.TrimSuffix(s, ".")
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}
