package rewards

import (
	"fmt"
	"sort"
	"strings"
)

// Extractor pulls the final answer out of a completion; ok is false when there is none.
type Extractor func(completion string) (answer string, ok bool)

// extractors are the named extraction rules a config can select.
var extractors = map[string]Extractor{
	"auto":        ExtractAnswer,
	"boxed":       ExtractBoxed,
	"tag":         ExtractAnswerTag,
	"gsm8k":       ExtractGSM8K,
	"answer_line": ExtractAnswerLine,
	"last_number": ExtractLastNumber,
	"exact":       ExtractWhole,        // with exact equality to the reference (MatchFor)
	"exact_trim":  ExtractWholeTrimmed, // the same after trimming white space
}

// ExtractorByName returns the extraction rule called name: auto, boxed, tag, gsm8k,
// answer_line, last_number, exact or exact_trim.
func ExtractorByName(name string) (Extractor, error) {
	if e, ok := extractors[name]; ok {
		return e, nil
	}
	names := make([]string, 0, len(extractors))
	for n := range extractors {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("unknown extractor %q; valid extractors: %s", name, strings.Join(names, ", "))
}

// ExtractAnswer tries the rules from the most to the least explicit: \boxed{...}, then
// <answer>...</answer>, then GSM8K's "#### n", then "Answer: ...", then the last number.
func ExtractAnswer(completion string) (string, bool) {
	for _, rule := range []Extractor{ExtractBoxed, ExtractAnswerTag, ExtractGSM8K, ExtractAnswerLine, ExtractLastNumber} {
		if ans, ok := rule(completion); ok {
			return ans, true
		}
	}
	return "", false
}

// ExtractBoxed returns the content of the last brace-balanced \boxed{...} (or \fbox{...}),
// without redundant braces around all of it (\boxed{{42}} gives 42). An unbalanced, truncated
// \boxed{ at the end is skipped in favour of an earlier complete one.
func ExtractBoxed(s string) (string, bool) {
	var starts []int
	for _, macro := range []string{`\boxed{`, `\fbox{`} {
		for i := 0; ; {
			j := strings.Index(s[i:], macro)
			if j < 0 {
				break
			}
			starts = append(starts, i+j+len(macro))
			i += j + len(macro)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(starts)))
	for _, open := range starts {
		depth := 1
		for k := open; k < len(s); k++ {
			switch s[k] {
			case '{':
				depth++
			case '}':
				depth--
			}
			if depth == 0 {
				ans := stripGroupingBraces(strings.TrimSpace(s[open:k]))
				if ans == "" {
					break
				}
				return ans, true
			}
		}
	}
	return "", false
}

// ExtractAnswerTag returns the trimmed text inside the last complete <answer>...</answer>.
func ExtractAnswerTag(s string) (string, bool) {
	end := strings.LastIndex(s, "</answer>")
	if end < 0 {
		return "", false
	}
	start := strings.LastIndex(s[:end], "<answer>")
	if start < 0 {
		return "", false
	}
	ans := strings.TrimSpace(s[start+len("<answer>") : end])
	return ans, ans != ""
}

// thousandsAndDollars drops digit-group commas and dollar signs from a #### answer.
var thousandsAndDollars = strings.NewReplacer(",", "", "$", "")

// ExtractGSM8K returns what follows the last "####" on its line, with commas and "$" removed
// (GSM8K's reference answers end with "#### 72").
func ExtractGSM8K(s string) (string, bool) {
	i := strings.LastIndex(s, "####")
	if i < 0 {
		return "", false
	}
	rest := s[i+4:]
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	rest = thousandsAndDollars.Replace(rest)
	rest = strings.TrimSpace(rest)
	return rest, rest != ""
}

// ExtractAnswerLine returns what follows the last "Answer:" (any case) on its line, without a
// final period.
func ExtractAnswerLine(s string) (string, bool) {
	i := lastIndexASCIIFold(s, "answer:")
	if i < 0 {
		return "", false
	}
	rest := s[i+len("answer:"):]
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimSpace(strings.TrimSuffix(rest, "."))
	return rest, rest != ""
}

// ExtractLastNumber returns the last number in s: an optional sign, digits with optional
// thousands separators (1,234), an optional decimal part, an optional exponent (e or E, an
// optional sign and digits: 1e3, 2.5E-2), and an optional "/denominator".
// A minus sign counts only where it cannot be a binary operator (not right after a digit,
// letter or closing bracket), so "7-12=-5" gives "-5" and "12-7=5" gives "5".
func ExtractLastNumber(s string) (string, bool) {
	last := ""
	for i := 0; i < len(s); {
		if !isDigit(s[i]) && !(s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])) {
			i++
			continue
		}
		start := i
		end := scanNumber(s, i)
		if end+1 < len(s) && s[end] == '/' && isDigit(s[end+1]) {
			end = scanNumber(s, end+1)
		}
		if signStart := signBefore(s, start); signStart >= 0 {
			start = signStart
		}
		last = s[start:end]
		i = end
	}
	last = strings.ReplaceAll(last, ",", "")
	return last, last != ""
}

// scanNumber returns the end of the unsigned number starting at i. A comma counts as a
// thousands separator only after one to three leading digits and before exactly three digits.
func scanNumber(s string, i int) int {
	lead := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i-lead <= 3 {
		for hasThousandsGroup(s, i) {
			i += 4
		}
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return scanExponent(s, i)
}

// scanExponent returns the end of an exponent "e3", "E-2", "e+5" starting at i, or i when there
// is none (an "e" not followed by digits, as in "2eggs", is text).
func scanExponent(s string, i int) int {
	if i >= len(s) || (s[i] != 'e' && s[i] != 'E') {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j >= len(s) || !isDigit(s[j]) {
		return i
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j < len(s) && isLetter(s[j]) {
		return i // "1e3x" is not a number in exponent notation
	}
	return j
}

// hasThousandsGroup reports whether s[i:] starts with ",ddd" not followed by another digit.
func hasThousandsGroup(s string, i int) bool {
	return i+4 <= len(s) && s[i] == ',' && allDigits(s[i+1:i+4]) && (i+4 == len(s) || !isDigit(s[i+4]))
}

// signBefore returns the index of a unary minus (or plus) right before start, allowing spaces
// between the sign and the digits, or -1.
func signBefore(s string, start int) int {
	j := start - 1
	for j >= 0 && s[j] == ' ' {
		j--
	}
	if j < 0 || (s[j] != '-' && s[j] != '+') {
		return -1
	}
	k := j - 1
	for k >= 0 && s[k] == ' ' {
		k--
	}
	if k >= 0 && (isDigit(s[k]) || isLetter(s[k]) || s[k] == ')' || s[k] == ']' || s[k] == '}') {
		return -1
	}
	if s[j] == '+' {
		return start // drop a unary plus
	}
	return j
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// lastIndexASCIIFold is strings.LastIndex ignoring ASCII case. (Lower-casing the whole string
// first would shift byte offsets on invalid UTF-8.)
func lastIndexASCIIFold(s, lowerSub string) int {
	for i := len(s) - len(lowerSub); i >= 0; i-- {
		match := true
		for k := 0; k < len(lowerSub); k++ {
			c := s[i+k]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerSub[k] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}
