package rewards

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// maxNumberLen bounds the literals ParseRational accepts, so that hostile input cannot make it
// allocate huge numbers.
const maxNumberLen = 400

var (
	decimalPattern   = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)$`)
	exponentPattern  = regexp.MustCompile(`^([+-]?(?:\d+\.?\d*|\.\d+))[eE]([+-]?\d{1,3})$`)
	thousandsPattern = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`)
	fracPattern      = regexp.MustCompile(`^([+-]?)\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}$`)
	shortFracPattern = regexp.MustCompile(`^([+-]?)\\[dt]?frac(\d)(\d)$`)
	assignPattern    = regexp.MustCompile(`^[a-zA-Z]\s*=\s*(.+)$`)
	textMacroPattern = regexp.MustCompile(`\\(?:text|textbf|mathrm|mathbf)\{([^{}]*)\}`)
)

// Equivalent reports whether two answers are the same. When both read as numbers (integers,
// decimals, exponent notation, fractions a/b or \frac{a}{b}, signs, thousands separators) they
// are compared exactly as rationals: 0.5 = 1/2 = \frac{1}{2}, 1,234 = 1234, -3 = - 3,
// 2.5e-2 = 1/40, but 12 != 12.0001.
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

// latexNoise maps the delimiters and spacing NormalizeAnswer drops, and the fraction macros it
// writes as \frac. Built once: a Replacer's table costs more than the replacement.
var latexNoise = strings.NewReplacer(
	`\left`, "", `\right`, "", `\!`, "", `\,`, "", `\;`, "", `\:`, "", `\ `, "",
	`\(`, "", `\)`, "", `\[`, "", `\]`, "", `\$`, "", "$", "",
	`\dfrac`, `\frac`, `\tfrac`, `\frac`,
)

// NormalizeAnswer puts an answer in a canonical written form: no surrounding whitespace, $ or
// \( \) delimiters, \text{} / \mathrm{} wrappers, \left / \right, LaTeX spacing, a leading
// "x =", a final period, spaces, \dfrac and \tfrac (written \frac), and no redundant grouping
// braces around the whole answer ({42} is 42; escaped \{ \} are kept).
func NormalizeAnswer(s string) string {
	s = stripGroupingBraces(strings.TrimSpace(s))
	s = textMacroPattern.ReplaceAllString(s, "$1")
	s = latexNoise.Replace(s)
	s = strings.TrimSpace(s)
	if m := assignPattern.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	return stripGroupingBraces(strings.Join(strings.Fields(s), ""))
}

// stripGroupingBraces removes pairs of braces that wrap the whole of s ("{{42}}" -> "42"); in
// LaTeX they only group. Braces that close before the end ("{1}+{2}") are part of the answer.
func stripGroupingBraces(s string) string {
	for len(s) >= 2 && s[0] == '{' && matchingBrace(s, 0) == len(s)-1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// matchingBrace returns the index of the '}' that closes the '{' at open, or -1.
func matchingBrace(s string, open int) int {
	depth := 0
	for k := open; k < len(s); k++ {
		switch s[k] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// ParseRational reads s as an exact number: an integer or decimal (with optional sign, spaces
// after the sign and thousands separators), the same in exponent notation m e x = m * 10^x with
// an integer exponent of at most three digits (1e3, 2.5E-2), a fraction p/q of two such
// numbers, or \frac{p}{q}. It never evaluates anything else (no powers such as 10^3, no
// expressions).
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
	if m := exponentPattern.FindStringSubmatch(s); m != nil {
		mant, ok := new(big.Rat).SetString(strings.TrimSuffix(m[1], "."))
		if !ok {
			return nil, false
		}
		exp, err := strconv.Atoi(m[2])
		if err != nil {
			return nil, false
		}
		pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil))
		if exp < 0 {
			return mant.Quo(mant, pow), true
		}
		return mant.Mul(mant, pow), true
	}
	if !decimalPattern.MatchString(s) {
		return nil, false
	}
	s = strings.TrimSuffix(s, ".")
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
