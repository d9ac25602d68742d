package bpe

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decoder turns the list of token strings into text, possibly in several steps (the reference's
// decode_chain: each step maps a list of strings to a list of strings, and the final list is joined).
type decoder func([]string) []string

func parseDecoder(raw json.RawMessage) (decoder, error) {
	if isNull(raw) {
		return nil, nil
	}
	kind, err := stageType(raw)
	if err != nil {
		return nil, fmt.Errorf("decoder: %w", err)
	}
	switch kind {
	case "ByteLevel":
		return func(toks []string) []string {
			var buf []byte
			for _, t := range toks {
				buf = byteLevelDecode(t, buf)
			}
			return []string{lossyUTF8(buf)}
		}, nil
	case "Metaspace":
		m, err := parseMetaspace(raw, "decoder")
		if err != nil {
			return nil, err
		}
		// Every replacement character becomes a space, except in the first token, where it is
		// dropped (it stands for the prepended one) unless prepend_scheme is "never".
		return func(toks []string) []string {
			out := make([]string, len(toks))
			for i, t := range toks {
				space := " "
				if i == 0 && m.PrependScheme != "never" {
					space = ""
				}
				out[i] = strings.ReplaceAll(t, m.Replacement, space)
			}
			return out
		}, nil
	case "Replace":
		var r struct {
			Pattern patternJSON `json:"pattern"`
			Content string      `json:"content"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("decoder Replace: %w", err)
		}
		f, err := replacer(r.Pattern, r.Content, "decoder Replace")
		if err != nil {
			return nil, err
		}
		return func(toks []string) []string {
			out := make([]string, len(toks))
			for i, t := range toks {
				out[i] = f(t)
			}
			return out
		}, nil
	case "ByteFallback":
		return byteFallbackDecode, nil
	case "Fuse":
		return func(toks []string) []string { return []string{strings.Join(toks, "")} }, nil
	case "Strip":
		var s struct {
			Content string `json:"content"`
			Start   int    `json:"start"`
			Stop    int    `json:"stop"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("decoder Strip: %w", err)
		}
		if utf8.RuneCountInString(s.Content) != 1 {
			return nil, fmt.Errorf("decoder Strip: content %q must be one character", s.Content)
		}
		return func(toks []string) []string {
			out := make([]string, len(toks))
			for i, t := range toks {
				for k := 0; k < s.Start && strings.HasPrefix(t, s.Content); k++ {
					t = t[len(s.Content):]
				}
				for k := 0; k < s.Stop && strings.HasSuffix(t, s.Content); k++ {
					t = t[:len(t)-len(s.Content)]
				}
				out[i] = t
			}
			return out
		}, nil
	case "Sequence":
		var seq struct {
			Decoders []json.RawMessage `json:"decoders"`
		}
		if err := json.Unmarshal(raw, &seq); err != nil {
			return nil, fmt.Errorf("decoder Sequence: %w", err)
		}
		var steps []decoder
		for i, sub := range seq.Decoders {
			d, err := parseDecoder(sub)
			if err != nil {
				return nil, fmt.Errorf("decoder Sequence[%d]: %w", i, err)
			}
			if d != nil {
				steps = append(steps, d)
			}
		}
		return func(toks []string) []string {
			for _, d := range steps {
				toks = d(toks)
			}
			return toks
		}, nil
	}
	return nil, fmt.Errorf("decoder type %q is not supported (supported: ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence)", kind)
}

// byteFallbackDecode joins runs of "<0xXX>" tokens into their bytes; a run that is not valid UTF-8
// becomes one U+FFFD per byte token.
func byteFallbackDecode(toks []string) []string {
	out := make([]string, 0, len(toks))
	var run []byte
	flush := func() {
		if len(run) == 0 {
			return
		}
		if utf8.Valid(run) {
			out = append(out, string(run))
		} else {
			for range run {
				out = append(out, "\uFFFD")
			}
		}
		run = run[:0]
	}
	for _, t := range toks {
		if len(t) == 6 && strings.HasPrefix(t, "<0x") && t[5] == '>' {
			if b, err := strconv.ParseUint(t[3:5], 16, 8); err == nil {
				run = append(run, byte(b))
				continue
			}
		}
		flush()
		out = append(out, t)
	}
	flush()
	return out
}

// lossyUTF8 converts bytes to a string, replacing each maximal ill-formed subsequence by one U+FFFD
// (the Unicode / WHATWG substitution rule, which the reference implementations follow).
func lossyUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			sb.Write(b[:n])
			b = b[n:]
			continue
		}
		sb.WriteRune(utf8.RuneError)
		b = b[maximalSubpart(b):]
	}
	return sb.String()
}

// maximalSubpart is the length (>= 1) of the longest prefix of b that could start a valid UTF-8
// sequence; b itself does not hold a complete one.
func maximalSubpart(b []byte) int {
	lo, hi := byte(0x80), byte(0xBF)
	need := 0
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		c := b[n]
		if (k == 0 && (c < lo || c > hi)) || (k > 0 && (c < 0x80 || c > 0xBF)) {
			break
		}
		n++
	}
	return n
}
