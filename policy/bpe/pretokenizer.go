package bpe

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// gpt2Pattern is the split regex of the ByteLevel pre-tokenizer when use_regex is set.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

// piece is a pre-token in the making: its text and whether it starts at offset 0 of the input
// (Metaspace's prepend_scheme "first" prepends only there).
type piece struct {
	text    string
	atStart bool
}

// preTokenizer cuts pieces into smaller pieces.
type preTokenizer func([]piece) []piece

// eachPiece lifts a per-piece cut into a preTokenizer; only the first sub-piece of a piece that
// starts the input starts the input.
func eachPiece(cut func(piece) []string) preTokenizer {
	return func(in []piece) []piece {
		out := make([]piece, 0, len(in))
		for _, p := range in {
			for i, s := range cut(p) {
				out = append(out, piece{text: s, atStart: p.atStart && i == 0})
			}
		}
		return out
	}
}

// parsePreTokenizer builds the pre-tokenizer stage; a null stage keeps each piece whole (nil).
func parsePreTokenizer(raw json.RawMessage) (preTokenizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	kind, err := stageType(raw)
	if err != nil {
		return nil, fmt.Errorf("pre_tokenizer: %w", err)
	}
	switch kind {
	case "Sequence":
		var seq struct {
			PreTokenizers []json.RawMessage `json:"pretokenizers"`
		}
		if err := json.Unmarshal(raw, &seq); err != nil {
			return nil, fmt.Errorf("pre_tokenizer Sequence: %w", err)
		}
		var steps []preTokenizer
		for i, sub := range seq.PreTokenizers {
			p, err := parsePreTokenizer(sub)
			if err != nil {
				return nil, fmt.Errorf("pre_tokenizer Sequence[%d]: %w", i, err)
			}
			if p != nil {
				steps = append(steps, p)
			}
		}
		return func(ps []piece) []piece {
			for _, s := range steps {
				ps = s(ps)
			}
			return ps
		}, nil
	case "Split":
		return parseSplit(raw)
	case "ByteLevel":
		var b struct {
			AddPrefixSpace bool  `json:"add_prefix_space"`
			UseRegex       *bool `json:"use_regex"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, fmt.Errorf("pre_tokenizer ByteLevel: %w", err)
		}
		return byteLevelPreTokenizer(b.AddPrefixSpace, b.UseRegex == nil || *b.UseRegex)
	case "Digits":
		var d struct {
			IndividualDigits bool `json:"individual_digits"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("pre_tokenizer Digits: %w", err)
		}
		b := contiguous
		if d.IndividualDigits {
			b = isolated
		}
		return eachPiece(func(p piece) []string {
			return cutSpans(p.text, cover(len(p.text), runeMatches(p.text, unicode.IsNumber, d.IndividualDigits), false), b)
		}), nil
	case "WhitespaceSplit":
		return eachPiece(func(p piece) []string { return strings.FieldsFunc(p.text, unicode.IsSpace) }), nil
	case "Metaspace":
		return parseMetaspacePreTokenizer(raw)
	}
	return nil, fmt.Errorf("pre_tokenizer type %q is not supported (supported: Sequence, Split, ByteLevel, Digits, WhitespaceSplit, Metaspace)", kind)
}

// parseSplit builds the Split pre-tokenizer: cut at the matches of a String or Regex pattern.
func parseSplit(raw json.RawMessage) (preTokenizer, error) {
	var s struct {
		Pattern  patternJSON `json:"pattern"`
		Behavior string      `json:"behavior"`
		Invert   bool        `json:"invert"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("pre_tokenizer Split: %w", err)
	}
	b, err := parseBehavior(s.Behavior)
	if err != nil {
		return nil, fmt.Errorf("pre_tokenizer Split: %w", err)
	}
	var matches func(string) [][2]int
	switch {
	case s.Pattern.String != nil:
		lit := *s.Pattern.String
		if lit == "" {
			return nil, fmt.Errorf("pre_tokenizer Split: empty String pattern")
		}
		matches = func(t string) [][2]int { return literalMatches(t, lit) }
	case s.Pattern.Regex != nil:
		var err error
		if matches, err = splitterFor(*s.Pattern.Regex); err != nil {
			return nil, fmt.Errorf("pre_tokenizer Split: %w", err)
		}
	default:
		return nil, fmt.Errorf("pre_tokenizer Split: pattern needs \"String\" or \"Regex\"")
	}
	return eachPiece(func(p piece) []string {
		return cutSpans(p.text, cover(len(p.text), matches(p.text), s.Invert), b)
	}), nil
}

// byteLevelPreTokenizer optionally prepends a space, optionally cuts with the GPT-2 regex, then
// rewrites every byte of every piece as its byte-level character (see byteToRune).
func byteLevelPreTokenizer(addPrefixSpace, useRegex bool) (preTokenizer, error) {
	var cut func(string) []string
	if useRegex {
		matches, err := splitterFor(gpt2Pattern)
		if err != nil {
			return nil, err
		}
		cut = func(t string) []string { return cutSpans(t, cover(len(t), matches(t), false), isolated) }
	}
	return eachPiece(func(p piece) []string {
		t := p.text
		if addPrefixSpace && !strings.HasPrefix(t, " ") {
			t = " " + t
		}
		parts := []string{t}
		if cut != nil {
			parts = cut(t)
		}
		for i, s := range parts {
			parts[i] = byteLevelEncode(s)
		}
		return parts
	}), nil
}

// runeMatches returns the byte ranges of the runes satisfying f: one range per rune when
// individual, else one per run of such runes.
func runeMatches(text string, f func(rune) bool, individual bool) [][2]int {
	var out [][2]int
	for i, r := range text {
		if !f(r) {
			continue
		}
		end := i + utf8.RuneLen(r)
		if !individual && len(out) > 0 && out[len(out)-1][1] == i {
			out[len(out)-1][1] = end
			continue
		}
		out = append(out, [2]int{i, end})
	}
	return out
}
