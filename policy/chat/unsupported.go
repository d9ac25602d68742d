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
//   - printf-style string formatting 'fmt' % args (Python: formatted text; the engine: a number).
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
	}
	return nil
}

var (
	tupleAffix = regexp.MustCompile(`\.(startswith|endswith)\(\s*\(`)
	// the closing quote of a string literal followed by the % operator
	formatOperator = regexp.MustCompile(`"\s*%`)
)

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
