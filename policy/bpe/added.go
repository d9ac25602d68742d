package bpe

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// addedMatcher finds added tokens in text: at each position the longest token starting there wins,
// and the leftmost match is taken first (the reference's leftmost-longest search).
type addedMatcher struct {
	byFirst [256][]addedTokenJSON // tokens by first byte, longest first
	empty   bool
}

func newAddedMatcher(tokens []addedTokenJSON) *addedMatcher {
	m := &addedMatcher{empty: len(tokens) == 0}
	for _, t := range tokens {
		if t.Content != "" {
			m.byFirst[t.Content[0]] = append(m.byFirst[t.Content[0]], t)
		}
	}
	for _, list := range &m.byFirst {
		sort.SliceStable(list, func(i, j int) bool { return len(list[i].Content) > len(list[j].Content) })
	}
	return m
}

// segment is a stretch of input text: an added token's id, or plain text (id -1) to be normalized
// and pre-tokenized; start is its byte offset in the whole input.
type segment struct {
	text  string
	id    int
	start int
}

// split cuts text (found at byte offset base of the input) at the added tokens. single_word tokens
// match only between non-word characters; lstrip/rstrip tokens swallow the whitespace on their left /
// right.
func (m *addedMatcher) split(text string, base int, out []segment) []segment {
	if m.empty {
		return append(out, segment{text: text, id: -1, start: base})
	}
	done := 0 // text[:done] is already emitted
	for i := 0; i < len(text); {
		if len(m.byFirst[text[i]]) == 0 {
			i++
			continue
		}
		tok, ok := m.longestAt(text, i)
		if !ok {
			i++
			continue
		}
		start, stop := i, i+len(tok.Content)
		i = stop
		if tok.SingleWord && (endsWithWord(text[:start]) || startsWithWord(text[stop:])) {
			continue
		}
		if tok.LStrip {
			start = max(done, len(strings.TrimRightFunc(text[:start], unicode.IsSpace)))
		}
		if tok.RStrip {
			stop = len(text) - len(strings.TrimLeftFunc(text[stop:], unicode.IsSpace))
			i = stop
		}
		if start > done {
			out = append(out, segment{text: text[done:start], id: -1, start: base + done})
		}
		out = append(out, segment{text: text[start:stop], id: tok.ID, start: base + start})
		done = stop
	}
	if done < len(text) {
		out = append(out, segment{text: text[done:], id: -1, start: base + done})
	}
	return out
}

func (m *addedMatcher) longestAt(text string, i int) (addedTokenJSON, bool) {
	for _, t := range m.byFirst[text[i]] {
		if strings.HasPrefix(text[i:], t.Content) {
			return t, true
		}
	}
	return addedTokenJSON{}, false
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

func endsWithWord(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && isWordRune(r)
}

func startsWithWord(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && isWordRune(r)
}
