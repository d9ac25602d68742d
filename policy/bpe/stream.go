package bpe

import "strings"

// StreamDecoder turns ids into text one id at a time during sampling and hands out text only once it
// ends on a complete UTF-8 character, so a stop string is never matched against half a character.
//
// It keeps the ids from the last emitted boundary on (plus the one token before it, as context for
// decoders that treat the first token specially) and decodes that window after each Push: when the
// window's text has grown past the previous text and does not end in U+FFFD (an incomplete byte
// sequence), the growth is emitted.
type StreamDecoder struct {
	t           *Tokenizer
	ids         []int
	prefix      string // Decode(ids) at the last emission: text already handed out
	prefixIndex int    // ids[:prefixIndex] are context kept from before the last emission
}

// NewStreamDecoder starts an empty stream.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder { return &StreamDecoder{t: t} }

// Push adds one id and returns the newly completed text ("" while a character is still incomplete).
func (s *StreamDecoder) Push(id int) string {
	s.ids = append(s.ids, id)
	text := s.t.Decode(s.ids)
	if len(text) <= len(s.prefix) || strings.HasSuffix(text, "\uFFFD") || !strings.HasPrefix(text, s.prefix) {
		return ""
	}
	out := text[len(s.prefix):]
	// Keep the ids after the previous boundary as context; they decode to the new prefix.
	next := len(s.ids) - s.prefixIndex
	s.ids = append([]int(nil), s.ids[s.prefixIndex:]...)
	s.prefix = s.t.Decode(s.ids)
	s.prefixIndex = next
	return out
}

// Flush returns what is left (an incomplete character comes out as U+FFFD) and resets the stream.
func (s *StreamDecoder) Flush() string {
	text := s.t.Decode(s.ids)
	out := ""
	if len(text) > len(s.prefix) && strings.HasPrefix(text, s.prefix) {
		out = text[len(s.prefix):]
	}
	*s = StreamDecoder{t: s.t}
	return out
}
