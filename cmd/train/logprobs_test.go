package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"grit/policy"
)

// baseCheckpoint is the shipped character-level policy (tokenizer: DefaultChars, context 32).
var baseCheckpoint = filepath.Join("..", "..", "configs", "base", "arithmetic")

func runLogprobsJSON(t *testing.T, args ...string) textLogProbs {
	t.Helper()
	a, _, out, errOut := newTestApp(t)
	if code := a.execute(append([]string{"logprobs", "--json"}, args...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s textLogProbs
	dec := json.NewDecoder(strings.NewReader(out.String()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	return s
}

// TestLogprobsJSONMatchesIndependentLogProbs checks the ids against the character table by hand,
// the JSON shape, and each log-prob against a separate LogProbs call per position (prompt =
// the prefix, completion = the one token), and that the log-probs of all tokens at a position
// sum to probability 1.
func TestLogprobsJSONMatchesIndependentLogProbs(t *testing.T) {
	s := runLogprobsJSON(t, "--checkpoint", baseCheckpoint, "--text", "12+34=46")
	// DefaultChars "0123456789+-*/=..." from id 4: '1'=5 '2'=6 '+'=14 '3'=7 '4'=8 '='=18 '6'=10; BOS=1
	wantIDs := []int{1, 5, 6, 14, 7, 8, 18, 8, 10}
	wantTokens := []string{"<bos>", "1", "2", "+", "3", "4", "=", "4", "6"}
	if !reflect.DeepEqual(s.IDs, wantIDs) || !reflect.DeepEqual(s.Tokens, wantTokens) {
		t.Fatalf("ids %v tokens %q, want %v %q", s.IDs, s.Tokens, wantIDs, wantTokens)
	}
	if len(s.LogProbs) != len(s.IDs)-1 {
		t.Fatalf("%d logprobs for %d ids, want len(ids)-1", len(s.LogProbs), len(s.IDs))
	}
	p, err := policy.LoadPolicy(baseCheckpoint)
	if err != nil {
		t.Fatal(err)
	}
	vocab := p.Tokenizer().VocabSize()
	for i, lp := range s.LogProbs {
		if !(lp <= 0) {
			t.Errorf("logprobs[%d] = %v, want <= 0", i, lp)
		}
		prefix := s.IDs[:i+1]
		one, err := p.LogProbs([]policy.Sequence{{Prompt: prefix, Completion: []int{s.IDs[i+1]}}})
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(float64(one[0][0] - lp)); d > 1e-5 {
			t.Errorf("logprobs[%d] = %v, the prefix alone gives %v", i, lp, one[0][0])
		}
		var mass float64
		for v := range vocab {
			lv, err := p.LogProbs([]policy.Sequence{{Prompt: prefix, Completion: []int{v}}})
			if err != nil {
				t.Fatal(err)
			}
			mass += math.Exp(float64(lv[0][0]))
		}
		if math.Abs(mass-1) > 1e-4 {
			t.Errorf("position %d: the next-token probabilities sum to %v, want 1", i, mass)
		}
	}
}

func TestLogprobsTable(t *testing.T) {
	a, _, out, errOut := newTestApp(t)
	if code := a.execute([]string{"logprobs", "--checkpoint", baseCheckpoint, "--text", "7+8=15"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := runLogprobsJSON(t, "--checkpoint", baseCheckpoint, "--text", "7+8=15")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2+len(s.IDs)+1 {
		t.Fatalf("want a header, %d token lines and a total; got:\n%s", len(s.IDs), out)
	}
	var sum float64
	for _, lp := range s.LogProbs {
		sum += float64(lp)
	}
	want := []string{`"<bos>"`, `"="`, fmt.Sprintf("sum %.6f", sum), fmt.Sprintf("perplexity %.4f", math.Exp(-sum/float64(len(s.LogProbs))))}
	for _, lp := range s.LogProbs {
		want = append(want, fmt.Sprintf("%.6f", lp))
	}
	for _, want := range want {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table does not contain %q:\n%s", want, out)
		}
	}
}

// TestLogprobsChatRendersTemplate: with --chat the text goes through the folder's chat template
// with the generation prompt, and no BOS is added (the template writes what it wants).
func TestLogprobsChatRendersTemplate(t *testing.T) {
	dir := copyCheckpoint(t)
	tmpl := `{"chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}={% endif %}"}`
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	s := runLogprobsJSON(t, "--checkpoint", dir, "--text", "12+34", "--chat")
	if want := []int{5, 6, 14, 7, 8, 18}; !reflect.DeepEqual(s.IDs, want) {
		t.Errorf("--chat ids %v, want %v (\"12+34=\" without BOS)", s.IDs, want)
	}
	if len(s.LogProbs) != len(s.IDs)-1 {
		t.Errorf("%d logprobs for %d ids", len(s.LogProbs), len(s.IDs))
	}
}

func copyCheckpoint(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		raw, err := os.ReadFile(filepath.Join(baseCheckpoint, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLogprobsBadInput(t *testing.T) {
	empty := t.TempDir()
	long := strings.Repeat("1", 40)
	for _, c := range []struct {
		args     []string
		fragment string
	}{
		{[]string{"--text", "1+1"}, "--checkpoint DIR is required"},
		{[]string{"--checkpoint", baseCheckpoint}, "--text is empty"},
		{[]string{"--checkpoint", baseCheckpoint, "--text", ""}, "--text is empty"},
		{[]string{"--checkpoint", filepath.Join(empty, "nope"), "--text", "1"}, "not a folder"},
		{[]string{"--checkpoint", empty, "--text", "1"}, "config.json"},
		{[]string{"--checkpoint", baseCheckpoint, "--text", "Hi é"}, `'H', 'é'`},
		{[]string{"--checkpoint", baseCheckpoint, "--text", "1+1", "--chat"}, "no chat template"},
		{[]string{"--checkpoint", baseCheckpoint, "--text", long}, "longer than the model's context of 32"},
		{[]string{"--checkpoint", baseCheckpoint, "--text", "1", "extra"}, "unexpected argument"},
		{[]string{"--checkpoint", baseCheckpoint, "--text", "1", "--nope"}, "unknown flag"},
	} {
		a, _, _, errOut := newTestApp(t)
		if code := a.execute(append([]string{"logprobs"}, c.args...)); code != exitConfigError {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c.args, code, errOut)
		}
		if !strings.Contains(errOut.String(), c.fragment) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, errOut, c.fragment)
		}
	}
}

// fakeTokenizer reads a leading "<s>" as BOS (id 1) and encodes each other byte as its value + 10.
type fakeTokenizer struct{}

func (fakeTokenizer) Encode(text string) []int {
	var ids []int
	if rest, ok := strings.CutPrefix(text, "<s>"); ok {
		ids, text = append(ids, 1), rest
	}
	for _, b := range []byte(text) {
		ids = append(ids, int(b)+10)
	}
	return ids
}
func (fakeTokenizer) Decode([]int) string { return "" }
func (fakeTokenizer) VocabSize() int      { return 266 }
func (fakeTokenizer) BOS() int            { return 1 }
func (fakeTokenizer) EOS() int            { return 2 }
func (fakeTokenizer) PAD() int            { return 0 }

type bosTokenizer struct {
	fakeTokenizer
	adds bool
}

func (b bosTokenizer) AddsBOS() bool { return b.adds }

// TestTextIDsFollowsAddsBOS: a tokenizer that says its post-processor adds no BOS gets none;
// one that says it does, or one without the method (grit's convention), gets BOS first.
func TestTextIDsFollowsAddsBOS(t *testing.T) {
	a, _, _, _ := newTestApp(t)
	f := logprobsFlags{text: "ab"}
	for _, c := range []struct {
		tok  policy.Tokenizer
		want []int
	}{
		{fakeTokenizer{}, []int{1, 107, 108}},
		{bosTokenizer{adds: true}, []int{1, 107, 108}},
		{bosTokenizer{adds: false}, []int{107, 108}},
	} {
		got, err := a.textIDs(c.tok, f)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%T%+v: ids %v, %v; want %v", c.tok, c.tok, got, err, c.want)
		}
	}
}

// encodingBOSTokenizer's Encode itself puts BOS first, like a Hugging Face tokenizer whose
// post-processor runs inside Encode.
type encodingBOSTokenizer struct{ fakeTokenizer }

func (e encodingBOSTokenizer) Encode(text string) []int {
	return append([]int{1}, e.fakeTokenizer.Encode(text)...)
}

// TestChatDoesNotDoubleBOS: the BOS the template writes is the only one, even when Encode adds one.
func TestChatDoesNotDoubleBOS(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"bos_token": "<s>", "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"}`
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	a, _, _, _ := newTestApp(t)
	for _, tok := range []policy.Tokenizer{encodingBOSTokenizer{}, bosTokenizer{adds: true}} {
		got, err := a.textIDs(tok, logprobsFlags{checkpoint: dir, text: "ab", chat: true})
		if want := []int{1, 107, 108}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%T: ids %v, %v; want %v (one BOS)", tok, got, err, want)
		}
	}
}
