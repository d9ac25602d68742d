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
// When the stage applied last is ByteLevel, it leaves the byte-to-character rewrite to the model
// (byteLevelWords true), which then caches words by their raw text and rewrites only cache misses.
func parsePreTokenizer(raw json.RawMessage) (pt preTokenizer, byteLevelWords bool, err error) {
	return parsePreTokenizerStage(raw, true)
}

// parsePreTokenizerStage builds one stage; last says whether nothing runs after it.
func parsePreTokenizerStage(raw json.RawMessage, last bool) (preTokenizer, bool, error) {
	if isNull(raw) {
		return nil, false, nil
	}
	kind, err := stageType(raw)
	if err != nil {
		return nil, false, fmt.Errorf("pre_tokenizer: %w", err)
	}
	if kind == "Sequence" {
		var seq struct {
			PreTokenizers []json.RawMessage `json:"pretokenizers"`
		}
		if err := json.Unmarshal(raw, &seq); err != nil {
			return nil, false, fmt.Errorf("pre_tokenizer Sequence: %w", err)
		}
		var steps []preTokenizer
		byteLevelWords := false
		for i, sub := range seq.PreTokenizers {
			p, deferred, err := parsePreTokenizerStage(sub, last && i == len(seq.PreTokenizers)-1)
			if err != nil {
				return nil, false, fmt.Errorf("pre_tokenizer Sequence[%d]: %w", i, err)
			}
			byteLevelWords = byteLevelWords || deferred
			if p != nil {
				steps = append(steps, p)
			}
		}
		return func(ps []piece) []piece {
			for _, s := range steps {
				ps = s(ps)
			}
			return ps
		}, byteLevelWords, nil
	}
	if kind == "ByteLevel" {
		var b struct {
			AddPrefixSpace bool  `json:"add_prefix_space"`
			UseRegex       *bool `json:"use_regex"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, false, fmt.Errorf("pre_tokenizer ByteLevel: %w", err)
		}
		pt, err := byteLevelPreTokenizer(b.AddPrefixSpace, b.UseRegex == nil || *b.UseRegex, !last)
		return pt, last, err
	}
	pt, err := parseOtherStage(raw, kind)
	return pt, false, err
}

// parseOtherStage builds the stages that neither nest nor defer work to the model.
func parseOtherStage(raw json.RawMessage, kind string) (preTokenizer, error) {
	switch kind {
	case "Split":
		return parseSplit(raw)
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
	if b == isolated && !s.Invert {
		return eachPiece(func(p piece) []string { return isolatedPieces(p.text, matches(p.text)) }), nil
	}
	return eachPiece(func(p piece) []string {
		return cutSpans(p.text, cover(len(p.text), matches(p.text), s.Invert), b)
	}), nil
}

// byteLevelPreTokenizer optionally prepends a space, optionally cuts with the GPT-2 regex, then (if
// mapBytes) rewrites every byte of every piece as its byte-level character (see byteToRune). Without
// mapBytes the model does the rewrite; a stage with nothing left to do is nil.
func byteLevelPreTokenizer(addPrefixSpace, useRegex, mapBytes bool) (preTokenizer, error) {
	var matches func(string) [][2]int
	if useRegex {
		var err error
		if matches, err = splitterFor(gpt2Pattern); err != nil {
			return nil, err
		}
	}
	if !addPrefixSpace && !useRegex && !mapBytes {
		return nil, nil
	}
	return eachPiece(func(p piece) []string {
		t := p.text
		if addPrefixSpace && !strings.HasPrefix(t, " ") {
			t = " " + t
		}
		parts := []string{t}
		if matches != nil {
			parts = isolatedPieces(t, matches(t))
		}
		if mapBytes {
			for i, s := range parts {
				parts[i] = byteLevelEncode(s)
			}
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
