package policy

import (
	"slices"
	"testing"
)

// multiEOSTokenizer is the character tokenizer with a second end-of-sequence id, like a chat model's
// end-of-turn token.
type multiEOSTokenizer struct {
	*CharTokenizer
	extra int
}

func (t multiEOSTokenizer) EOSIDs() []int { return []int{t.EOS(), t.extra} }

// A tokenizer's extra EOS ids (EOSIDs) finish a sequence like EOS does: the model below always
// prefers id 9 (a digit for the character tokenizer), so with 9 among EOSIDs generation stops after
// one token, and without it the sequence runs to MaxNewTokens.
func TestSampleStopsOnAnyEOSID(t *testing.T) {
	const extra = 9
	cfg := TinyConfig()
	for _, withExtra := range []bool{true, false} {
		var tok Tokenizer = DefaultCharTokenizer()
		if withExtra {
			tok = multiEOSTokenizer{DefaultCharTokenizer(), extra}
		}
		m, err := NewGPT(cfg, tok, 3)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < cfg.DModel; j++ { // logit of id 9 = 5*D + w·x̂, far above every other (LayerNorm's x̂ has zero mean)
			m.head.Value.Data[extra*cfg.DModel+j] = 1
			m.lnfB.Value.Data[j] = 5
		}
		gens, err := m.Sample([][]int{{charBOS}, {charBOS, 7, 8}}, []uint64{1, 2}, SampleOptions{MaxNewTokens: 4, Temperature: 1})
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range gens {
			if withExtra && (!g.Finished || !slices.Equal(g.Tokens, []int{extra}) || g.Text != "") {
				t.Fatalf("sequence %d with EOSIDs %v: want one token %d, finished, empty text; got %+v", i, []int{charEOS, extra}, extra, g)
			}
			if !withExtra && (g.Finished || !slices.Equal(g.Tokens, []int{extra, extra, extra, extra}) || g.Text != "5555") {
				t.Fatalf("sequence %d without EOSIDs: want 4 tokens %d, truncated, text 5555; got %+v", i, extra, g)
			}
		}
	}
}
