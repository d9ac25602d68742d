package bpe

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/dlclark/regexp2/v2"
	"golang.org/x/text/unicode/norm"
)

// normalizer rewrites one piece of text (the text between added tokens) before pre-tokenization.
type normalizer func(string) string

// parseNormalizer builds the normalizer stage; a null stage is the identity (nil).
func parseNormalizer(raw json.RawMessage) (normalizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	kind, err := stageType(raw)
	if err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	switch kind {
	case "NFC":
		return norm.NFC.String, nil
	case "NFD":
		return norm.NFD.String, nil
	case "NFKC":
		return norm.NFKC.String, nil
	case "NFKD":
		return norm.NFKD.String, nil
	case "Lowercase":
		return strings.ToLower, nil
	case "Prepend":
		var p struct {
			Prepend string `json:"prepend"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("normalizer Prepend: %w", err)
		}
		// The library prepends only to non-empty text.
		return func(s string) string {
			if s == "" {
				return s
			}
			return p.Prepend + s
		}, nil
	case "Replace":
		var r struct {
			Pattern patternJSON `json:"pattern"`
			Content string      `json:"content"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("normalizer Replace: %w", err)
		}
		return replacer(r.Pattern, r.Content, "normalizer Replace")
	case "Strip":
		var s struct {
			Left  bool `json:"strip_left"`
			Right bool `json:"strip_right"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("normalizer Strip: %w", err)
		}
		return func(text string) string {
			if s.Left {
				text = strings.TrimLeftFunc(text, unicode.IsSpace)
			}
			if s.Right {
				text = strings.TrimRightFunc(text, unicode.IsSpace)
			}
			return text
		}, nil
	case "Sequence":
		var seq struct {
			Normalizers []json.RawMessage `json:"normalizers"`
		}
		if err := json.Unmarshal(raw, &seq); err != nil {
			return nil, fmt.Errorf("normalizer Sequence: %w", err)
		}
		var steps []normalizer
		for i, sub := range seq.Normalizers {
			n, err := parseNormalizer(sub)
			if err != nil {
				return nil, fmt.Errorf("normalizer Sequence[%d]: %w", i, err)
			}
			if n != nil {
				steps = append(steps, n)
			}
		}
		return func(s string) string {
			for _, n := range steps {
				s = n(s)
			}
			return s
		}, nil
	}
	return nil, fmt.Errorf("normalizer type %q is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Strip, Sequence)", kind)
}

// replacer replaces every match of a String or Regex pattern by content.
func replacer(p patternJSON, content, where string) (func(string) string, error) {
	switch {
	case p.String != nil:
		old := *p.String
		if old == "" {
			return nil, fmt.Errorf("%s: empty String pattern", where)
		}
		return func(s string) string { return strings.ReplaceAll(s, old, content) }, nil
	case p.Regex != nil:
		re, err := compileRegex(*p.Regex)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		return func(s string) string {
			var sb strings.Builder
			last := 0
			for _, m := range findAll(re, s) {
				sb.WriteString(s[last:m[0]])
				sb.WriteString(content)
				last = m[1]
			}
			sb.WriteString(s[last:])
			return sb.String()
		}, nil
	}
	return nil, fmt.Errorf("%s: pattern needs \"String\" or \"Regex\"", where)
}

// compileRegex compiles a pattern of tokenizer.json (Oniguruma/Rust syntax) with regexp2.
func compileRegex(pattern string) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, fmt.Errorf("regex %q is not supported by the regex engine: %w", pattern, err)
	}
	return re, nil
}

// findAll returns the byte ranges [start, end) of the non-empty, non-overlapping matches of re in s.
func findAll(re *regexp2.Regexp, s string) [][2]int {
	idx, err := re.FindAllStringIndex(s, -1)
	if err != nil {
		// regexp2 errors only on a match timeout, which is not set.
		panic(fmt.Sprintf("bpe: regex %q on %q: %v", re.String(), s, err))
	}
	out := make([][2]int, 0, len(idx))
	for _, m := range idx {
		if m[1] > m[0] {
			out = append(out, [2]int{m[0], m[1]})
		}
	}
	return out
}
