package bpe

import (
	"slices"
	"testing"
)

func preTokenize(t *testing.T, stage, text string) []string {
	t.Helper()
	pt, _, err := parsePreTokenizer([]byte(stage))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pt([]piece{{text: text, atStart: true}}) {
		out = append(out, p.text)
	}
	return out
}

// The split behaviors on "a-b--c" cut at "-" (the library documents the same on
// "the-final--countdown").
func TestSplitBehaviors(t *testing.T) {
	cases := []struct {
		behavior string
		invert   bool
		want     []string
	}{
		{"Removed", false, []string{"a", "b", "c"}},
		{"Isolated", false, []string{"a", "-", "b", "-", "-", "c"}},
		{"MergedWithPrevious", false, []string{"a-", "b-", "-", "c"}},
		{"MergedWithNext", false, []string{"a", "-b", "-", "-c"}},
		{"Contiguous", false, []string{"a", "-", "b", "--", "c"}},
		{"Removed", true, []string{"-", "-", "-"}},
	}
	for _, c := range cases {
		inv := "false"
		if c.invert {
			inv = "true"
		}
		for _, pattern := range []string{`{"String": "-"}`, `{"Regex": "-"}`} {
			stage := `{"type": "Split", "pattern": ` + pattern + `, "behavior": "` + c.behavior + `", "invert": ` + inv + `}`
			if got := preTokenize(t, stage, "a-b--c"); !slices.Equal(got, c.want) {
				t.Errorf("%s invert=%v %s: %q, want %q", c.behavior, c.invert, pattern, got, c.want)
			}
		}
	}
}

func TestDigits(t *testing.T) {
	if got := preTokenize(t, `{"type": "Digits", "individual_digits": true}`, "a12b3"); !slices.Equal(got, []string{"a", "1", "2", "b", "3"}) {
		t.Errorf("individual digits: %q", got)
	}
	if got := preTokenize(t, `{"type": "Digits", "individual_digits": false}`, "a12b3"); !slices.Equal(got, []string{"a", "12", "b", "3"}) {
		t.Errorf("contiguous digits: %q", got)
	}
}

// ByteLevel with add_prefix_space and the GPT-2 regex, mapping bytes itself because a stage follows.
func TestByteLevelPreTokenizer(t *testing.T) {
	stage := `{"type": "Sequence", "pretokenizers": [
		{"type": "ByteLevel", "add_prefix_space": true, "use_regex": true},
		{"type": "Digits", "individual_digits": false}]}`
	if got := preTokenize(t, stage, "hi you\n"); !slices.Equal(got, []string{"Ġhi", "Ġyou", "Ċ"}) {
		t.Errorf("got %q", got)
	}
}

func TestPostProcessors(t *testing.T) {
	cases := []struct {
		raw            string
		prefix, suffix []int
	}{
		{`{"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": true, "add_prefix_space": false}`, []int{0}, []int{2}},
		{`{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<eos>", "type_id": 0}}],
		  "pair": [], "special_tokens": {"<bos>": {"id": "<bos>", "ids": [5], "tokens": ["<bos>"]}, "<eos>": {"id": "<eos>", "ids": [6], "tokens": ["<eos>"]}}}`, []int{5}, []int{6}},
		{`{"type": "Sequence", "processors": [{"type": "ByteLevel", "trim_offsets": false},
		  {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [],
		   "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000], "tokens": ["<|begin_of_text|>"]}}}]}`, []int{128000}, nil},
		{`null`, nil, nil},
	}
	for _, c := range cases {
		s, err := parsePostProcessor([]byte(c.raw))
		if err != nil || !slices.Equal(s.prefix, c.prefix) || !slices.Equal(s.suffix, c.suffix) {
			t.Errorf("%.40s...: prefix %v suffix %v err %v; want %v %v", c.raw, s.prefix, s.suffix, err, c.prefix, c.suffix)
		}
	}
}
