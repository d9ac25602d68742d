package chat

import (
	"fmt"
	"regexp"
	"strings"
)

// The Go Jinja engine errors on filters, tests and string methods it does not know (e.g.
// "x.splitlines is not callable"), so those can never render silently wrong. A few constructs it
// accepts but evaluates differently from Python's Jinja; a template using one is refused here:
//
//   - str.startswith / str.endswith with a tuple of prefixes (Python: any of them matches; the
//     engine: always false);
//   - printf-style string formatting 'fmt' % args (Python: formatted text; the engine: a number);
//   - str.split(sep, maxsplit) (the engine ignores maxsplit).
//
// Whitespace is the other difference: the engine's trim, strip() and split() take Go's Unicode
// spaces, which lack Python's U+001C..U+001F, and its lstrip()/rstrip() without arguments take only
// space, tab, newline and carriage return. Render refuses message text with such a character when
// the template uses the operation concerned (whitespaceGuard).
//
// Known differences that a check of the source cannot see, and that none of the supported
// families' templates reach with text messages: printing none gives "" (Python: "None") and a
// whole float prints without ".0" (Python: "1.0").
func checkSupported(source string) error {
	for _, tag := range tagBodies(source) {
		code := blankStrings(tag.body)
		if loc := tupleAffix.FindStringIndex(code); loc != nil {
			return unsupported(source, tag.at+loc[0], "str.startswith/endswith with a tuple of prefixes")
		}
		if loc := formatOperator.FindStringIndex(code); loc != nil {
			return unsupported(source, tag.at+loc[0], "printf-style string formatting ('...' % args)")
		}
		if loc := splitMax.FindStringIndex(code); loc != nil {
			return unsupported(source, tag.at+loc[0], "str.split with maxsplit")
		}
	}
	return nil
}

var (
	tupleAffix = regexp.MustCompile(`\.(startswith|endswith)\(\s*\(`)
	// the closing quote of a string literal followed by the % operator
	formatOperator = regexp.MustCompile(`"\s*%`)
	splitMax       = regexp.MustCompile(`\.split\([^()]*,`)
	// operations whose idea of whitespace differs from Python's
	unicodeStrip = regexp.MustCompile(`\|\s*trim\b|\.strip\(\s*\)|\.split\(\s*\)`)
	asciiStrip   = regexp.MustCompile(`\.[lr]strip\(\s*\)`)
)

// whitespaceGuard says which characters of message text the template would treat differently
// from Python: for trim / strip() / split(), Python's separators U+001C..U+001F; for lstrip() /
// rstrip() without arguments, every Python whitespace character but space, tab, \n and \r.
type whitespaceGuard struct{ unicodeStrip, asciiStrip bool }

func newWhitespaceGuard(source string) whitespaceGuard {
	var g whitespaceGuard
	for _, tag := range tagBodies(source) {
		code := blankStrings(tag.body)
		g.unicodeStrip = g.unicodeStrip || unicodeStrip.MatchString(code)
		g.asciiStrip = g.asciiStrip || asciiStrip.MatchString(code)
	}
	return g
}

// check returns an error naming the first character of text the engine would strip or split
// differently from Python.
func (g whitespaceGuard) check(text string) error {
	for i, r := range text {
		pySpace := isPythonSpace(r)
		differs := (g.unicodeStrip && pySpace && r >= 0x1c && r <= 0x1f) ||
			(g.asciiStrip && pySpace && r != ' ' && r != '\t' && r != '\n' && r != '\r')
		if differs {
			return fmt.Errorf("character %U at byte %d is whitespace to Python, and the template strips or splits text in a way the Go Jinja engine does differently for it; remove or replace it", r, i)
		}
	}
	return nil
}

// isPythonSpace is Python's str.isspace for one character.
func isPythonSpace(r rune) bool {
	switch {
	case r >= '\t' && r <= '\r', r >= 0x1c && r <= 0x20, r == 0x85, r == 0xa0, r == 0x1680,
		r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

func unsupported(source string, at int, what string) error {
	line := 1 + strings.Count(source[:at], "\n")
	end := min(at+40, len(source))
	return fmt.Errorf("line %d: %s is not supported by the Go Jinja engine (it would render differently from transformers), at %q",
		line, what, source[at:end])
}

// tag is the inside of one {{ ... }} or {% ... %} and its offset in the template.
type tag struct {
	body string
	at   int
}

// tagBodies lists the expression and statement tags of a template (comments and text left out).
func tagBodies(src string) []tag {
	var tags []tag
	for i := 0; i+1 < len(src); i++ {
		if src[i] != '{' || (src[i+1] != '{' && src[i+1] != '%' && src[i+1] != '#') {
			continue
		}
		closer := map[byte]string{'{': "}}", '%': "%}", '#': "#}"}[src[i+1]]
		start := i + 2
		end := closeOf(src, start, closer)
		if src[i+1] != '#' {
			tags = append(tags, tag{body: src[start:end], at: start})
		}
		i = end + len(closer) - 1
	}
	return tags
}

// closeOf is the index of closer after start, skipping string literals; len(src) if none.
func closeOf(src string, start int, closer string) int {
	for j := start; j < len(src); j++ {
		switch {
		case src[j] == '\'' || src[j] == '"':
			j = endOfString(src, j)
		case strings.HasPrefix(src[j:], closer):
			return j
		}
	}
	return len(src)
}

// endOfString is the index of the quote that closes the literal opened at src[i].
func endOfString(src string, i int) int {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return len(src) - 1
}

// blankStrings replaces the inside of each string literal by spaces and its quotes by ", keeping
// the length, so that offsets still match the source.
func blankStrings(code string) string {
	b := []byte(code)
	for i := 0; i < len(b); i++ {
		if b[i] == '\'' || b[i] == '"' {
			end := endOfString(code, i)
			b[i] = '"'
			for k := i + 1; k < end && k < len(b); k++ {
				b[k] = ' '
			}
			if end < len(b) {
				b[end] = '"'
			}
			i = end
		}
	}
	return string(b)
}
