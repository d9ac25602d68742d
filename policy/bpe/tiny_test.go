package bpe

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"grit/policy"
)

var _ policy.Tokenizer = (*Tokenizer)(nil)

// loadVariant loads a fixture's tokenizer.json after applying string replacements (old, new, ...).
func loadVariant(t *testing.T, fixture string, repl ...string) (*Tokenizer, error) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", fixture, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for i := 0; i+1 < len(repl); i += 2 {
		if !strings.Contains(text, repl[i]) {
			t.Fatalf("fixture %s has no %q to replace", fixture, repl[i])
		}
		text = strings.Replace(text, repl[i], repl[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return LoadFile(path)
}

func mustLoad(t *testing.T, fixture string, repl ...string) *Tokenizer {
	t.Helper()
	tok, err := loadVariant(t, fixture, repl...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type encodeCase struct {
	text string
	want []int
}

func checkEncode(t *testing.T, tok *Tokenizer, cases []encodeCase) {
	t.Helper()
	for _, c := range cases {
		if got := tok.Encode(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// Vocab of tiny-bytelevel: a=0 b=1 c=2 Ġ=3 ab=4 abc=5 Ġa=6 Ġab=7 Ġabc=11 Ã=12 ©=13; merges by rank:
// 0 "a b", 1 "ab c", 2 "Ġ a", 3 "Ġ ab". Added: <|x|>=8 (special), <m>=9 (lstrip, rstrip), cab=10
// (single_word).
func TestByteLevelMergesByRank(t *testing.T) {
	tok := mustLoad(t, "tiny-bytelevel")
	checkEncode(t, tok, []encodeCase{
		// Words "abc", " abc", " ab" -> "abc", "Ġabc", "Ġab". In "Ġabc" the pair (a,b) of rank 0 merges
		// before the leftmost pair (Ġ,a) of rank 2, leaving Ġ + abc; merging left to right would give
		// Ġa + b + c = [6 1 2].
		{"abc abc ab", []int{5, 3, 5, 7}},
		{"é", []int{12, 13}}, // bytes C3 A9 are the byte-level characters Ã and ©
		{"", nil},
	})
	if tok.AddsBOS() || tok.BOS() != -1 || tok.EOS() != -1 || tok.PAD() != -1 || len(tok.EOSIDs()) != 0 {
		t.Errorf("without configs: AddsBOS %v BOS %d EOS %d PAD %d EOSIDs %v; want false -1 -1 -1 []", tok.AddsBOS(), tok.BOS(), tok.EOS(), tok.PAD(), tok.EOSIDs())
	}
	if tok.VocabSize() != 14 || tok.TokenText(3) != "Ġ" || tok.TokenText(8) != "<|x|>" || tok.TokenText(99) != "" {
		t.Errorf("VocabSize %d TokenText(3) %q (8) %q (99) %q", tok.VocabSize(), tok.TokenText(3), tok.TokenText(8), tok.TokenText(99))
	}
	for _, s := range []string{"abc abc ab", "é", "abc<|x|>ab"} {
		if got := tok.Decode(tok.Encode(s)); got != s {
			t.Errorf("Decode(Encode(%q)) = %q", s, got)
		}
	}
	if got := tok.DecodeSkipSpecial([]int{5, 8, 4}); got != "abcab" {
		t.Errorf("DecodeSkipSpecial = %q, want \"abcab\"", got)
	}
}

func TestAddedTokens(t *testing.T) {
	tok := mustLoad(t, "tiny-bytelevel")
	checkEncode(t, tok, []encodeCase{
		{"abc<|x|>ab", []int{5, 8, 4}},
		// <m> has lstrip and rstrip: it swallows the spaces on both sides.
		{"ab <m> c", []int{4, 9, 2}},
		// cab is single_word: it matches between spaces, not inside "acab" (a, c, ab after merges).
		{" cab ", []int{3, 10, 3}},
		{"acab", []int{0, 2, 4}},
	})
	if got := tok.Decode([]int{4, 9, 2}); got != "ab<m>c" {
		t.Errorf("Decode = %q, want \"ab<m>c\"", got)
	}
}

func TestIgnoreMerges(t *testing.T) {
	with := mustLoad(t, "tiny-bytelevel", `"ignore_merges": false`, `"ignore_merges": true`)
	without := mustLoad(t, "tiny-bytelevel")
	// "Ġabc" is in the vocab but no merge produces it: only ignore_merges takes the whole word.
	checkEncode(t, with, []encodeCase{{"abc abc", []int{5, 11}}})
	checkEncode(t, without, []encodeCase{{"abc abc", []int{5, 3, 5}}})
}

// Vocab of tiny-fallback: <unk>=0 <s>=1 </s>=2 <0xC3>=3 <0xA9>=4 ▁=5 h=6 i=7 ▁h=8 hi=9 ▁hi=10;
// merges by rank: 0 "h i", 1 "▁ h", 2 "▁h i", 3 "▁ hi". Normalizer: prepend ▁, spaces to ▁.
func TestByteFallbackAndUnk(t *testing.T) {
	tok, err := Load(filepath.Join("testdata", "tiny-fallback"))
	if err != nil {
		t.Fatal(err)
	}
	checkEncode(t, tok, []encodeCase{
		// "▁hi▁hié": (h,i) merges twice first (rank 0), then (▁,hi) twice (rank 3); é is not in the
		// vocab and falls back to its bytes C3 A9.
		{"hi hié", []int{10, 10, 3, 4}},
		// z has no byte token: unk, and the two unks fuse (fuse_unk).
		{"hzz", []int{8, 0}},
		// Each piece between added tokens is normalized on its own, so both get the ▁ prefix.
		{"hi</s>hi", []int{10, 2, 10}},
	})
	if got := tok.Decode([]int{10, 10, 3, 4}); got != "hi hié" {
		t.Errorf("Decode = %q, want \"hi hié\"", got)
	}
	if got := tok.Decode([]int{10, 3}); got != "hi\uFFFD" {
		t.Errorf("Decode of a lone byte = %q, want \"hi\\uFFFD\"", got)
	}
	if got := tok.EncodeWithSpecials("hi"); !slices.Equal(got, []int{1, 10}) {
		t.Errorf("EncodeWithSpecials = %v, want [1 10]", got)
	}
	if !tok.AddsBOS() || tok.BOS() != 1 || tok.EOS() != 2 || tok.PAD() != 2 || !slices.Equal(tok.EOSIDs(), []int{2, 9}) {
		t.Errorf("AddsBOS %v BOS %d EOS %d PAD %d EOSIDs %v; want true 1 2 2 [2 9]", tok.AddsBOS(), tok.BOS(), tok.EOS(), tok.PAD(), tok.EOSIDs())
	}
	if !strings.HasPrefix(tok.ChatTemplate(), "{{ bos_token }}") {
		t.Errorf("ChatTemplate = %q", tok.ChatTemplate())
	}
}

// Mistral-style: no normalizer, a Metaspace pre-tokenizer that prepends ▁ only at the start of the
// input, and the Metaspace decoder.
func TestMetaspace(t *testing.T) {
	tok := mustLoad(t, "tiny-fallback",
		`"normalizer": {"type": "Sequence"`, `"normalizer": null, "unused": {"type": "Sequence"`,
		`"pre_tokenizer": null`, `"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}`,
		`"decoder": {"type": "Sequence"`, `"decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first"}, "unused2": {"type": "Sequence"`)
	checkEncode(t, tok, []encodeCase{
		{"hi hi", []int{10, 10}},
		{"</s>hi", []int{2, 9}}, // not at the start of the input: no ▁
	})
	if got := tok.Decode([]int{10, 10}); got != "hi hi" {
		t.Errorf("Decode = %q, want \"hi hi\"", got)
	}
}

func TestUnsupportedIsAnError(t *testing.T) {
	cases := []struct {
		fixture  string
		old, new string
		want     string
	}{
		{"tiny-bytelevel", `"type": "BPE"`, `"type": "WordPiece"`, `model type "WordPiece" is not supported`},
		{"tiny-bytelevel", `"pre_tokenizer": {"type": "ByteLevel"`, `"pre_tokenizer": {"type": "BertPreTokenizer"`, `pre_tokenizer type "BertPreTokenizer"`},
		{"tiny-bytelevel", `"decoder": {"type": "ByteLevel"`, `"decoder": {"type": "WordPiece"`, `decoder type "WordPiece"`},
		{"tiny-bytelevel", `"normalizer": null`, `"normalizer": {"type": "BertNormalizer"}`, `normalizer type "BertNormalizer"`},
		{"tiny-bytelevel", `"post_processor": {"type": "ByteLevel"`, `"post_processor": {"type": "Foo"`, `post_processor type "Foo"`},
		{"tiny-bytelevel", `"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}`,
			`"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\p{Nope}+"}, "behavior": "Isolated", "invert": false}`, `regex "\\p{Nope}+" is not supported`},
		{"tiny-bytelevel", `"a b"`, `"a z"`, `merges[0] "a" + "z"`},
		{"tiny-fallback", `{"type": "Fuse"}`, `{"type": "CTC"}`, `decoder Sequence[2]: decoder type "CTC"`},
	}
	for _, c := range cases {
		_, err := loadVariant(t, c.fixture, c.old, c.new)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s with %s: error %v, want one containing %q", c.fixture, c.new, err, c.want)
		}
	}
}

func TestConcurrentEncode(t *testing.T) {
	tok := mustLoad(t, "tiny-bytelevel")
	texts := []string{"abc abc ab", "acab cab", "ab <m> c", "é abc"}
	want := make([][]int, len(texts))
	for i, s := range texts {
		want[i] = tok.Encode(s)
	}
	fresh := mustLoad(t, "tiny-bytelevel") // empty word cache: goroutines race to fill it
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			for k := range 200 {
				i := (g + k) % len(texts)
				if got := fresh.Encode(texts[i]); !slices.Equal(got, want[i]) {
					done <- fmt.Errorf("Encode(%q) = %v, want %v", texts[i], got, want[i])
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestGenerationConfigForms(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want []int
	}{{`7`, []int{7}}, {`[2, 9]`, []int{2, 9}}, {`null`, nil}, {``, nil}} {
		got, err := intOrList([]byte(c.raw))
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("intOrList(%s) = %v, %v; want %v", c.raw, got, err, c.want)
		}
	}
	if _, err := intOrList([]byte(`"2"`)); err == nil {
		t.Error("intOrList(\"2\"): want an error")
	}
	for _, c := range []struct{ raw, want string }{{`"<s>"`, "<s>"}, {`{"content": "</s>", "lstrip": false}`, "</s>"}, {`null`, ""}} {
		got, err := tokenContent([]byte(c.raw))
		if err != nil || got != c.want {
			t.Errorf("tokenContent(%s) = %q, %v; want %q", c.raw, got, err, c.want)
		}
	}
}

func TestBadSpecialTokenNamesTheKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tokenizer_config.json")
	if err := os.WriteFile(cfg, []byte(`{"eos_token": "<|nope|>"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(filepath.Join("testdata", "tiny-fallback", "tokenizer.json"), WithConfig(cfg))
	if err == nil || !strings.Contains(err.Error(), `eos_token "<|nope|>" is not a token of tokenizer.json`) {
		t.Errorf("error %v, want one naming eos_token", err)
	}
}
