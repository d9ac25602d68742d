package bpe

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestScannersMatchRegex checks the hand-written scanners against the regex engine on the patterns
// they replace, over the corpus and random strings built from the characters these patterns treat
// differently (contractions in both cases, letters, several kinds of numbers, \r \n and other
// whitespace, punctuation, emoji, combining marks, zero-width characters).
func TestScannersMatchRegex(t *testing.T) {
	alphabet := []string{"'", "s", "S", "t", "re", "RE", "ve", "ll", "LL", "m", "d", "D", "ſ", "K", "x", "é",
		"中", "0", "7", "٣", "½", "Ⅻ", " ", "  ", "\t", "\n", "\r", "\r\n", "\v", "\f", "\u00a0", "\u3000", "\u2028",
		"\u0085", ".", ",", "!", "?", "-", "_", "🙂", "\u0301", "\u200d", "\u200b", "\ufeff"}
	rng := rand.New(rand.NewPCG(1, 2))
	texts := []string{"", "hello world", "I'm here  \n\n  x", "a\r\n\r\n b", "x   ", "1234567 89"}
	for range 20000 {
		var sb strings.Builder
		for range 1 + rng.IntN(16) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, sb.String())
	}
	for _, pattern := range []string{llama3Pattern, qwen2Pattern, gpt2Pattern} {
		fast, err := splitterFor(pattern)
		if err != nil {
			t.Fatal(err)
		}
		re, err := compileRegex(pattern)
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for _, s := range texts {
			want, got := findAll(re, s), fast(s)
			if !slices.Equal(got, want) {
				if bad++; bad <= 5 {
					t.Errorf("pattern %.30s... on %q:\n got  %v\n want %v", pattern, s, got, want)
				}
			}
		}
	}
}
