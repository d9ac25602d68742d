package bpe

import (
	"sync"
	"unicode"
)

// The split regexes of the common byte-level models, matched by hand-written scanners that give the
// same matches as the regex engine (splitter_test.go compares them on random text) at several times
// its speed. Any other pattern runs on the regex engine.
const (
	llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	qwen2Pattern  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// splitterFor returns the match function of a Split regex: a hand-written scanner for a known
// pattern, else the regex engine.
func splitterFor(pattern string) (func(string) [][2]int, error) {
	switch pattern {
	case llama3Pattern:
		return func(s string) [][2]int { return scanLlama3(s, 3) }, nil
	case qwen2Pattern:
		return func(s string) [][2]int { return scanLlama3(s, 1) }, nil
	case gpt2Pattern:
		return scanGPT2, nil
	}
	re, err := compileRegex(pattern)
	if err != nil {
		return nil, err
	}
	return func(s string) [][2]int { return findAll(re, s) }, nil
}

// isSpace is the regex class \s: \t \n \v \f \r, U+0085 and the separators (Zs, Zl, Zp).
func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85:
		return true
	}
	return r > 0x7f && unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

func isLetter(r rune) bool {
	if r < 0x80 {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r)
}

func isNumber(r rune) bool {
	if r < 0x80 {
		return r >= '0' && r <= '9'
	}
	return unicode.IsNumber(r)
}

// isOther is [^\s\p{L}\p{N}].
func isOther(r rune) bool { return !isSpace(r) && !isLetter(r) && !isNumber(r) }

// runeText is a text decoded into runes with each rune's byte offset (off[len] = len(text)).
type runeText struct {
	r   []rune
	off []int
}

// runeTexts recycles the buffers of decodeRunes between calls (and goroutines).
var runeTexts = sync.Pool{New: func() any { return new(runeText) }}

// putRunes returns a runeText to the pool unless it grew past 64Ki runes (one huge document must
// not pin its buffers).
func putRunes(t *runeText) {
	if cap(t.r) <= 1<<16 {
		runeTexts.Put(t)
	}
}

// decodeRunes decodes s into a pooled runeText; give it back with putRunes when done.
func decodeRunes(s string) *runeText {
	t := runeTexts.Get().(*runeText)
	t.r, t.off = t.r[:0], t.off[:0]
	for i, r := range s {
		t.r = append(t.r, r)
		t.off = append(t.off, i)
	}
	t.off = append(t.off, len(s))
	return t
}

func (t *runeText) at(i int) rune {
	if i < len(t.r) {
		return t.r[i]
	}
	return -1
}

// run returns the first index >= i whose rune fails f.
func (t *runeText) run(i int, f func(rune) bool) int {
	for i < len(t.r) && f(t.r[i]) {
		i++
	}
	return i
}

// contraction matches 's 't 're 've 'm 'll 'd at i (caseless: letters in either case) and
// returns its end, or i.
func (t *runeText) contraction(i int, caseless bool) int {
	if t.at(i) != '\'' {
		return i
	}
	c1, c2 := t.at(i+1), t.at(i+2)
	if caseless {
		c1, c2 = asciiLower(c1), asciiLower(c2)
	}
	switch {
	case c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd':
		return i + 2
	case (c1 == 'r' || c1 == 'v') && c2 == 'e', c1 == 'l' && c2 == 'l':
		return i + 3
	}
	return i
}

// asciiLower folds the characters that match an ASCII letter caselessly: A-Z, and the long s
// U+017F, which Unicode case folding maps to 's'.
func asciiLower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	if r == 'ſ' {
		return 's'
	}
	return r
}

// whitespace matches the shared tail \s+(?!\S)|\s+ at a whitespace rune i: the whole run when it
// ends the text or is one rune long, else the run less its last rune (which then prefixes the word).
func (t *runeText) whitespace(i int) int {
	k := t.run(i, isSpace)
	if k < len(t.r) && k-i > 1 {
		return k - 1
	}
	return k
}

// scanLlama3 matches the Llama 3 pattern (maxDigits 3) or the Qwen2 pattern (maxDigits 1):
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,maxDigits} |
//	 ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
//
// tried in that order at each position (the first alternative that matches wins).
func scanLlama3(s string, maxDigits int) [][2]int {
	t := decodeRunes(s)
	defer putRunes(t)
	out := make([][2]int, 0, len(s)/4+1)
	isNewline := func(r rune) bool { return r == '\r' || r == '\n' }
	for i := 0; i < len(t.r); {
		r := t.r[i]
		end := t.contraction(i, true)
		switch {
		case end > i:
		case isLetter(r):
			end = t.run(i, isLetter)
		case !isNewline(r) && !isNumber(r) && isLetter(t.at(i+1)):
			end = t.run(i+1, isLetter)
		case isNumber(r):
			end = i + 1
			for end < len(t.r) && end-i < maxDigits && isNumber(t.r[end]) {
				end++
			}
		case isOther(r) || (r == ' ' && i+1 < len(t.r) && isOther(t.r[i+1])):
			j := i
			if r == ' ' {
				j++
			}
			end = t.run(t.run(j, isOther), isNewline)
		default: // r is whitespace
			k := t.run(i, isSpace)
			last := -1
			for p := k - 1; p >= i; p-- {
				if isNewline(t.r[p]) {
					last = p
					break
				}
			}
			if last >= 0 {
				end = last + 1 // \s*[\r\n]+ backs off to the run's last newline
			} else {
				end = t.whitespace(i)
			}
		}
		out = append(out, [2]int{t.off[i], t.off[end]})
		i = end
	}
	return out
}

// scanGPT2 matches GPT-2's pattern:
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func scanGPT2(s string) [][2]int {
	t := decodeRunes(s)
	defer putRunes(t)
	out := make([][2]int, 0, len(s)/4+1)
	for i := 0; i < len(t.r); {
		r := t.r[i]
		j := i
		if r == ' ' {
			j++
		}
		c := t.at(j)
		end := t.contraction(i, false)
		switch {
		case end > i:
		case isLetter(c):
			end = t.run(j, isLetter)
		case isNumber(c):
			end = t.run(j, isNumber)
		case c >= 0 && isOther(c):
			end = t.run(j, isOther)
		default: // r is whitespace
			end = t.whitespace(i)
		}
		out = append(out, [2]int{t.off[i], t.off[end]})
		i = end
	}
	return out
}
