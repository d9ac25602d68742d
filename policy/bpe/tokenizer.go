package bpe

import (
	"strings"
)

// Tokenizer is a loaded Hugging Face BPE tokenizer. It implements policy.Tokenizer and is safe for
// concurrent use.
type Tokenizer struct {
	model     *bpeModel
	added     []addedTokenJSON
	raw       *addedMatcher // added tokens with normalized=false, matched on the raw text
	norm      *addedMatcher // added tokens with normalized=true, matched on the normalized text
	normalize normalizer
	pretok    preTokenizer
	byteLevel bool // pre-tokens are raw text for the model to rewrite as byte-level characters
	decode    decoder
	post      specials

	tokens  []string     // id -> token text ("" for holes)
	special map[int]bool // ids of added tokens marked special

	bos, eos, pad int   // -1 when the files name none
	eosIDs        []int // all ids that end generation
	chatTemplate  string
}

// Encode returns the ids of text without BOS/EOS (see EncodeWithSpecials). Added tokens written in
// the text, such as "<|im_start|>", encode to their ids.
func (t *Tokenizer) Encode(text string) []int {
	var segs []segment
	for _, s := range t.raw.split(text, 0, nil) {
		if s.id >= 0 {
			segs = append(segs, s)
			continue
		}
		nt := s.text
		if t.normalize != nil {
			nt = t.normalize(nt)
		}
		segs = t.norm.split(nt, s.start, segs)
	}
	ids := make([]int, 0, len(text)/3+1)
	for _, s := range segs {
		if s.id >= 0 {
			ids = append(ids, s.id)
			continue
		}
		pieces := []piece{{text: s.text, atStart: s.start == 0}}
		if t.pretok != nil {
			pieces = t.pretok(pieces)
		}
		for _, p := range pieces {
			ids = t.model.encodeWord(p.text, t.byteLevel, ids)
		}
	}
	return ids
}

// EncodeWithSpecials is Encode with the post-processor's special tokens around it (for Llama-style
// files, BOS in front), as the reference does with add_special_tokens=true.
func (t *Tokenizer) EncodeWithSpecials(text string) []int {
	ids := append([]int(nil), t.post.prefix...)
	ids = append(ids, t.Encode(text)...)
	return append(ids, t.post.suffix...)
}

// AddsBOS reports whether the post-processor puts a token in front of a sequence (the BOS of
// Llama-style files); byte-level files such as GPT-2's and Qwen's add none.
func (t *Tokenizer) AddsBOS() bool { return len(t.post.prefix) > 0 }

// Decode turns ids into text through the decoder chain. Special tokens stay as their text, so
// Decode(Encode(s)) == s; unknown ids are skipped.
func (t *Tokenizer) Decode(ids []int) string { return t.decodeIDs(ids, false) }

// DecodeSkipSpecial is Decode without the tokens marked special (BOS, EOS, chat markers).
func (t *Tokenizer) DecodeSkipSpecial(ids []int) string { return t.decodeIDs(ids, true) }

func (t *Tokenizer) decodeIDs(ids []int, skipSpecial bool) string {
	toks := make([]string, 0, len(ids))
	for _, id := range ids {
		if id < 0 || id >= len(t.tokens) || t.tokens[id] == "" || (skipSpecial && t.special[id]) {
			continue
		}
		toks = append(toks, t.tokens[id])
	}
	if t.decode == nil {
		return strings.Join(toks, " ") // the reference's behaviour without a decoder
	}
	return strings.Join(t.decode(toks), "")
}

// TokenText is the vocabulary entry of id as written in tokenizer.json (byte-level tokens show
// their byte characters, such as "Ġthe"); "" for an unknown id.
func (t *Tokenizer) TokenText(id int) string {
	if id < 0 || id >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// TokenID is the id of a vocabulary entry or added token, and whether it exists.
func (t *Tokenizer) TokenID(token string) (int, bool) {
	for _, a := range t.added {
		if a.Content == token {
			return a.ID, true
		}
	}
	id, ok := t.model.vocab[token]
	return id, ok
}

// IsSpecial reports whether id is an added token marked special.
func (t *Tokenizer) IsSpecial(id int) bool { return t.special[id] }

// VocabSize is one more than the largest id of the vocabulary and the added tokens.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// BOS is the beginning-of-sequence id (tokenizer_config.json's bos_token, else the post-processor's
// first special token), or -1 when there is none.
func (t *Tokenizer) BOS() int { return t.bos }

// EOS is the end-of-sequence id: tokenizer_config.json's eos_token, else generation_config.json's
// (first) eos_token_id; -1 when neither names one.
func (t *Tokenizer) EOS() int { return t.eos }

// EOSIDs are all ids that end generation: EOS and every eos_token_id of generation_config.json.
func (t *Tokenizer) EOSIDs() []int { return append([]int(nil), t.eosIDs...) }

// PAD is tokenizer_config.json's pad_token (else generation_config.json's pad_token_id, else EOS).
func (t *Tokenizer) PAD() int { return t.pad }

// ChatTemplate is the raw Jinja chat_template of tokenizer_config.json ("" when absent); this
// package does not render it.
func (t *Tokenizer) ChatTemplate() string { return t.chatTemplate }
