package bpe

import (
	"fmt"
	"strings"
)

// splitBehavior says what happens to the delimiter matches when a pre-tokenizer cuts text (the
// library's SplitDelimiterBehavior).
type splitBehavior int

const (
	removed            splitBehavior = iota // matches are dropped
	isolated                                // matches are pieces of their own
	mergedWithPrevious                      // a match joins the piece before it
	mergedWithNext                          // a match joins the piece after it
	contiguous                              // runs of matches (and of non-matches) form one piece each
)

func parseBehavior(name string) (splitBehavior, error) {
	switch name {
	case "Removed":
		return removed, nil
	case "Isolated":
		return isolated, nil
	case "MergedWithPrevious":
		return mergedWithPrevious, nil
	case "MergedWithNext":
		return mergedWithNext, nil
	case "Contiguous":
		return contiguous, nil
	}
	return 0, fmt.Errorf("split behavior %q is not supported (supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)", name)
}

// span is a byte range of a text and whether it is a delimiter match.
type span struct {
	start, end int
	match      bool
}

// cover turns sorted, non-overlapping, non-empty match ranges into spans covering all of text.
func cover(n int, matches [][2]int, invert bool) []span {
	out := make([]span, 0, 2*len(matches)+1)
	prev := 0
	for _, m := range matches {
		if m[0] > prev {
			out = append(out, span{prev, m[0], invert})
		}
		out = append(out, span{m[0], m[1], !invert})
		prev = m[1]
	}
	if prev < n {
		out = append(out, span{prev, n, invert})
	}
	return out
}

// cutSpans applies a split behavior to the spans of text and returns the resulting pieces.
func cutSpans(text string, spans []span, b splitBehavior) []string {
	var ranges [][2]int
	prevMatch := false
	switch b {
	case removed:
		for _, s := range spans {
			if !s.match {
				ranges = append(ranges, [2]int{s.start, s.end})
			}
		}
	case isolated:
		for _, s := range spans {
			ranges = append(ranges, [2]int{s.start, s.end})
		}
	case mergedWithPrevious:
		for _, s := range spans {
			if s.match && !prevMatch && len(ranges) > 0 {
				ranges[len(ranges)-1][1] = s.end
			} else {
				ranges = append(ranges, [2]int{s.start, s.end})
			}
			prevMatch = s.match
		}
	case mergedWithNext:
		for i := len(spans) - 1; i >= 0; i-- {
			s := spans[i]
			if s.match && !prevMatch && len(ranges) > 0 {
				ranges[len(ranges)-1][0] = s.start
			} else {
				ranges = append(ranges, [2]int{s.start, s.end})
			}
			prevMatch = s.match
		}
		for i, j := 0, len(ranges)-1; i < j; i, j = i+1, j-1 {
			ranges[i], ranges[j] = ranges[j], ranges[i]
		}
	case contiguous:
		for i, s := range spans {
			if i > 0 && s.match == prevMatch {
				ranges[len(ranges)-1][1] = s.end
			} else {
				ranges = append(ranges, [2]int{s.start, s.end})
			}
			prevMatch = s.match
		}
	}
	out := make([]string, 0, len(ranges))
	for _, r := range ranges {
		if r[1] > r[0] {
			out = append(out, text[r[0]:r[1]])
		}
	}
	return out
}

// literalMatches returns the non-overlapping occurrences of a non-empty literal in text.
func literalMatches(text, lit string) [][2]int {
	var out [][2]int
	for off := 0; ; {
		i := strings.Index(text[off:], lit)
		if i < 0 {
			return out
		}
		out = append(out, [2]int{off + i, off + i + len(lit)})
		off += i + len(lit)
	}
}

// isolatedPieces is cutSpans(text, cover(len(text), matches, false), isolated) without the
// intermediate slices: the matches and the gaps between them, in order.
func isolatedPieces(text string, matches [][2]int) []string {
	out := make([]string, 0, len(matches)+1)
	prev := 0
	for _, m := range matches {
		if m[0] > prev {
			out = append(out, text[prev:m[0]])
		}
		out = append(out, text[m[0]:m[1]])
		prev = m[1]
	}
	if prev < len(text) {
		out = append(out, text[prev:])
	}
	return out
}
