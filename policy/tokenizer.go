package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// Special token ids of CharTokenizer; characters follow from id charBase on.
const (
	charPAD  = 0
	charBOS  = 1
	charEOS  = 2
	charUNK  = 3
	charBase = 4
)

// DefaultChars is the character set of DefaultCharTokenizer: digits, arithmetic and punctuation,
// space, newline and lowercase letters (62 ids with the four specials, so it fits a 64-token model).
const DefaultChars = "0123456789+-*/=()<>.,:?# \nabcdefghijklmnopqrstuvwxyz!;'_$%"

// CharTokenizer maps each character of a fixed set to one id, after the specials PAD, BOS, EOS and
// UNK (ids 0..3). Characters outside the set encode to UNK.
type CharTokenizer struct {
	chars []rune
	ids   map[rune]int
}

// NewCharTokenizer builds a tokenizer over the distinct characters of chars, in order.
func NewCharTokenizer(chars string) (*CharTokenizer, error) {
	if !utf8.ValidString(chars) {
		return nil, fmt.Errorf("char tokenizer: character set is not valid UTF-8")
	}
	t := &CharTokenizer{ids: map[rune]int{}}
	for _, r := range chars {
		if _, dup := t.ids[r]; dup {
			return nil, fmt.Errorf("char tokenizer: character %q appears twice in the character set", r)
		}
		t.ids[r] = charBase + len(t.chars)
		t.chars = append(t.chars, r)
	}
	if len(t.chars) == 0 {
		return nil, fmt.Errorf("char tokenizer: empty character set; pass the characters the tasks use")
	}
	return t, nil
}

// DefaultCharTokenizer covers DefaultChars.
func DefaultCharTokenizer() *CharTokenizer {
	t, err := NewCharTokenizer(DefaultChars)
	if err != nil {
		panic(err) // DefaultChars is a constant without duplicates
	}
	return t
}

// Encode maps each character to its id (UNK if unknown). It adds no BOS or EOS.
func (t *CharTokenizer) Encode(text string) []int {
	out := make([]int, 0, len(text))
	for _, r := range text {
		if id, ok := t.ids[r]; ok {
			out = append(out, id)
		} else {
			out = append(out, charUNK)
		}
	}
	return out
}

// Decode maps ids back to text, skipping PAD, BOS and EOS; UNK and unknown ids become U+FFFD.
func (t *CharTokenizer) Decode(ids []int) string {
	var sb strings.Builder
	for _, id := range ids {
		switch {
		case id == charPAD || id == charBOS || id == charEOS:
		case id >= charBase && id-charBase < len(t.chars):
			sb.WriteRune(t.chars[id-charBase])
		default:
			sb.WriteRune(utf8.RuneError)
		}
	}
	return sb.String()
}

// VocabSize is the number of ids: four specials plus the characters.
func (t *CharTokenizer) VocabSize() int { return charBase + len(t.chars) }

// BOS is the beginning-of-sequence id.
func (t *CharTokenizer) BOS() int { return charBOS }

// EOS is the end-of-sequence id.
func (t *CharTokenizer) EOS() int { return charEOS }

// PAD is the padding id.
func (t *CharTokenizer) PAD() int { return charPAD }

// UNK is the id of characters outside the set.
func (t *CharTokenizer) UNK() int { return charUNK }

// tokenizerFile is the tokenizer.json layout.
type tokenizerFile struct {
	Type  string `json:"type"`  // "char"
	Chars string `json:"chars"` // characters with ids 4, 5, ...
	PAD   int    `json:"pad"`
	BOS   int    `json:"bos"`
	EOS   int    `json:"eos"`
	UNK   int    `json:"unk"`
}

// MarshalJSON writes the tokenizer.json form.
func (t *CharTokenizer) MarshalJSON() ([]byte, error) {
	return json.Marshal(tokenizerFile{Type: "char", Chars: string(t.chars), PAD: charPAD, BOS: charBOS, EOS: charEOS, UNK: charUNK})
}

// LoadTokenizer reads a tokenizer.json written by Save.
func LoadTokenizer(path string) (Tokenizer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer: %w", err)
	}
	return parseTokenizer(raw, path)
}

func parseTokenizer(raw []byte, path string) (Tokenizer, error) {
	var f tokenizerFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	if f.Type != "char" {
		return nil, fmt.Errorf("load tokenizer %s: unknown tokenizer type %q (supported: \"char\")", path, f.Type)
	}
	if f.PAD != charPAD || f.BOS != charBOS || f.EOS != charEOS || f.UNK != charUNK {
		return nil, fmt.Errorf("load tokenizer %s: special ids pad/bos/eos/unk must be 0/1/2/3, got %d/%d/%d/%d", path, f.PAD, f.BOS, f.EOS, f.UNK)
	}
	t, err := NewCharTokenizer(f.Chars)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	return t, nil
}
