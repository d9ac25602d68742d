package bpe

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStreamDecoderWaitsForWholeCharacters(t *testing.T) {
	tok := mustLoad(t, "tiny-bytelevel")
	s := tok.NewStreamDecoder()
	// "é" is two tokens, one byte each: nothing may come out after the first.
	if got := s.Push(5); got != "abc" {
		t.Errorf("Push(abc) = %q", got)
	}
	if got := s.Push(12); got != "" {
		t.Errorf("Push(first byte of é) = %q, want \"\"", got)
	}
	if got := s.Push(13); got != "é" {
		t.Errorf("Push(second byte of é) = %q, want \"é\"", got)
	}
	if got := s.Push(12); got != "" {
		t.Errorf("Push(dangling byte) = %q, want \"\"", got)
	}
	if got := s.Flush(); got != "\uFFFD" {
		t.Errorf("Flush of an incomplete character = %q, want U+FFFD", got)
	}
}

func TestStreamDecoderStripsOnlyTheFirstSpace(t *testing.T) {
	tok, err := Load("testdata/tiny-fallback")
	if err != nil {
		t.Fatal(err)
	}
	s := tok.NewStreamDecoder()
	var out strings.Builder
	for _, id := range []int{10, 10, 3, 4, 10} {
		out.WriteString(s.Push(id))
	}
	out.WriteString(s.Flush())
	// The Strip decoder removes the leading space of the whole text only, not of every chunk.
	if out.String() != "hi hié hi" {
		t.Errorf("stream = %q, want \"hi hié hi\"", out.String())
	}
}

// TestStreamDecoderMatchesDecode streams every corpus text token by token through each real
// tokenizer: every chunk is valid UTF-8 and the chunks add up to Decode of all ids.
func TestStreamDecoderMatchesDecode(t *testing.T) {
	var corpus []string
	raw, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &corpus); err != nil {
		t.Fatal(err)
	}
	for _, pkg := range jsTokenizers {
		tok := loadJS(t, pkg)
		for _, text := range corpus {
			ids := tok.Encode(text)
			s := tok.NewStreamDecoder()
			var out strings.Builder
			for _, id := range ids {
				chunk := s.Push(id)
				if !utf8.ValidString(chunk) || strings.Contains(chunk, "\uFFFD") {
					t.Errorf("%s: %q: chunk %q is not whole characters", pkg, text, chunk)
				}
				out.WriteString(chunk)
			}
			out.WriteString(s.Flush())
			if want := tok.Decode(ids); out.String() != want {
				t.Errorf("%s: streamed %q, Decode %q", pkg, out.String(), want)
			}
		}
	}
}
