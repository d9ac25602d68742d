package trainers

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"grit/envs"
	"grit/policy"
	"grit/policy/bpe"
	"grit/policy/chat"
)

// mustPlainCodec is the plain codec of a tokenizer known to have an EOS; it panics otherwise.
func mustPlainCodec(tok policy.Tokenizer) *promptCodec {
	c, err := newPromptCodec(tok)
	if err != nil {
		panic(err)
	}
	return c
}

// grit's character tokenizer keeps its convention: BOS, the prompt's characters; targets end with EOS.
func TestCharPromptsStartWithBOS(t *testing.T) {
	tok := policy.DefaultCharTokenizer()
	c := mustPlainCodec(tok)
	conv, err := c.start("12+34=")
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]int{tok.BOS()}, tok.Encode("12+34=")...); !reflect.DeepEqual(conv.ids, want) {
		t.Fatalf("prompt %v, want %v", conv.ids, want)
	}
	if got := c.target("46"); !reflect.DeepEqual(got, append(tok.Encode("46"), tok.EOS())) {
		t.Fatalf("target %v", got)
	}
}

// A Hugging Face tokenizer gets BOS exactly when its post-processor adds one: none for Qwen3 (whose
// files name no BOS: never a -1 id), one for Llama 2. SFT targets end with the first EOS id.
func TestBPEPromptsAddBOSOnlyWhenTheTokenizerDoes(t *testing.T) {
	qwen := npmTokenizer(t, "tokenizer-qwen3")
	c := mustPlainCodec(qwen)
	conv, _ := c.start("3+4=")
	if !reflect.DeepEqual(conv.ids, qwen.Encode("3+4=")) {
		t.Fatalf("qwen3 prompt %v, want the text's ids %v alone", conv.ids, qwen.Encode("3+4="))
	}
	imEnd, _ := qwen.TokenID("<|im_end|>")
	if got := c.target("7"); !reflect.DeepEqual(got, append(qwen.Encode("7"), imEnd)) {
		t.Fatalf("qwen3 target %v, want 7's ids and <|im_end|> (%d)", got, imEnd)
	}
	llama := npmTokenizer(t, "tokenizer-llama2")
	conv, _ = mustPlainCodec(llama).start("3+4=")
	if want := llama.EncodeWithSpecials("3+4="); !reflect.DeepEqual(conv.ids, want) || conv.ids[0] != llama.BOS() || conv.ids[1] == llama.BOS() {
		t.Fatalf("llama2 prompt %v, want one BOS then the text: %v", conv.ids, want)
	}
}

// multiEOSTokenizer is Qwen3's tokenizer with <|endoftext|> as a second id that ends generation
// (as a generation_config.json eos_token_id list gives).
type multiEOSTokenizer struct {
	*bpe.Tokenizer
	ids []int
}

func (m multiEOSTokenizer) EOSIDs() []int { return m.ids }

// A completion is cut at its first EOS id, whichever of the ids it is, and its text leaves out the
// EOS and every other special token.
func TestFinishCutsAtAnyEOSAndDropsSpecialTokens(t *testing.T) {
	qwen := npmTokenizer(t, "tokenizer-qwen3")
	imEnd, _ := qwen.TokenID("<|im_end|>")
	eot, _ := qwen.TokenID("<|endoftext|>")
	imStart, _ := qwen.TokenID("<|im_start|>")
	c := mustPlainCodec(multiEOSTokenizer{qwen, []int{imEnd, eot}})
	seven, eight := qwen.Encode("7")[0], qwen.Encode("8")[0]
	g := c.finish(policy.Generation{Tokens: []int{seven, eot, eight}, LogProbs: []float32{-1, -2, -3}})
	if !reflect.DeepEqual(g.Tokens, []int{seven, eot}) || len(g.LogProbs) != 2 || !g.Finished || g.Text != "7" {
		t.Fatalf("cut at <|endoftext|>: %+v; want tokens [7 <|endoftext|>], finished, text \"7\"", g)
	}
	g = c.finish(policy.Generation{Tokens: []int{seven, imStart, eight}, LogProbs: []float32{-1, -2, -3}})
	if len(g.Tokens) != 3 || g.Finished || g.Text != "78" {
		t.Fatalf("no EOS: %+v; want 3 tokens, not finished, text \"78\" (special token left out)", g)
	}
	stop := qwen.Encode("<c>")
	g = c.finish(policy.Generation{Tokens: append([]int{seven}, stop...), LogProbs: make([]float32, 1+len(stop)), Finished: true})
	if !g.Finished || g.Text != "7<c>" {
		t.Fatalf("stopped on a stop string: %+v; want it finished with the text \"7<c>\"", g)
	}
	if c.eosID != imEnd {
		t.Fatalf("SFT targets end with %d, want the first EOS id <|im_end|> = %d", c.eosID, imEnd)
	}
}

// With the chat template, the first context is the rendered user turn (and system prompt) with the
// generation prompt; a later turn adds the completion as the assistant message and the observation
// as a user message. The template writes the special tokens; none are added again.
func TestChatPromptsRenderTheConversation(t *testing.T) {
	dir := npmTokenizerDir(t, "tokenizer-qwen3")
	qwen := npmTokenizer(t, "tokenizer-qwen3")
	tmpl, err := chat.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := mustPlainCodec(qwen).withTemplate(tmpl, "Answer with a number.")
	conv, err := c.start("3+4=")
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>system\nAnswer with a number.<|im_end|>\n<|im_start|>user\n3+4=<|im_end|>\n<|im_start|>assistant\n"
	if got := qwen.Decode(conv.ids); got != want {
		t.Fatalf("first context %q, want %q", got, want)
	}
	if !reflect.DeepEqual(conv.ids, qwen.Encode(want)) {
		t.Fatalf("first context ids %v, want %v", conv.ids, qwen.Encode(want))
	}
	imEnd, _ := qwen.TokenID("<|im_end|>")
	next, err := c.extend(conv, append(qwen.Encode("8"), imEnd), "8", "Wrong. Try again.")
	if err != nil {
		t.Fatal(err)
	}
	want2 := strings.TrimSuffix(want, "<|im_start|>assistant\n") +
		"<|im_start|>assistant\n8<|im_end|>\n<|im_start|>user\nWrong. Try again.<|im_end|>\n<|im_start|>assistant\n"
	if got := qwen.Decode(next.ids); got != want2 {
		t.Fatalf("second context %q, want %q", got, want2)
	}
}

// A multi-turn env (correction) plays and makes SFT sequences through the chat template with a real
// BPE tokenizer: turn 2's context is the rendered conversation holding turn 1's decoded completion.
func TestCorrectionEnvWithChatTemplate(t *testing.T) {
	dir := writeTinyQwen3(t, filepath.Join(t.TempDir(), "qwen3"), tinyQwen3{Hidden: 16, Layers: 1, Heads: 2, KVHeads: 1, HeadDim: 8, MLP: 16, Context: 128}, 3)
	pol, err := policy.LoadPolicy(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := chat.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	env, err := envs.New("correction", map[string]any{"base": "arithmetic", "base_args": map[string]any{"digits_min": 1, "digits_max": 1}})
	if err != nil {
		t.Fatal(err)
	}
	tok := pol.Tokenizer()
	codec := mustPlainCodec(tok).withTemplate(tmpl, "")
	task := env.Tasks().HeldOut()[0]
	p := &player{pol: pol, env: env, opts: policy.SampleOptions{MaxNewTokens: 4, Temperature: 1}, codec: codec}
	trajs, err := p.play(t.Context(), []envs.Task{task}, 1, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	tr := trajs[0]
	if len(tr.Turns) != 2 {
		t.Fatalf("%d turns, want 2", len(tr.Turns))
	}
	first := tok.Decode(tr.Turns[0].Context)
	if !strings.HasPrefix(first, "<|im_start|>user\n"+task.Prompt+"<|im_end|>\n<|im_start|>assistant\n") {
		t.Fatalf("turn 1 context %q", first)
	}
	want := first + tr.Turns[0].Gen.Text + "<|im_end|>\n<|im_start|>user\n" + tr.Turns[0].Observation + "<|im_end|>\n<|im_start|>assistant\n"
	if got := tok.Decode(tr.Turns[1].Context); got != want {
		t.Fatalf("turn 2 context\n%q\nwant\n%q", got, want)
	}
	seqs, err := sftSequences(codec, env, task, pol.ContextLen(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(seqs) < 1 || !strings.HasPrefix(tok.Decode(seqs[0].Prompt), "<|im_start|>user\n") {
		t.Fatalf("sft sequences %+v", seqs)
	}
	imEnd, _ := tok.(*bpe.Tokenizer).TokenID("<|im_end|>")
	for i, s := range seqs {
		if s.Completion[len(s.Completion)-1] != imEnd {
			t.Fatalf("sft sequence %d ends with %d, want <|im_end|>", i, s.Completion[len(s.Completion)-1])
		}
	}
}

// chat_template: true on an init folder without a template is a config error naming the key.
func TestChatTemplateWithoutTemplateIsAConfigError(t *testing.T) {
	cfg := Defaults()
	cfg.Init = filepath.Join("..", "policy", "hf", "testdata", "qwen3") // tokenizer.json, no tokenizer_config.json
	cfg.ChatTemplate = true
	err := Prepare(cfg)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "chat_template") || !strings.Contains(err.Error(), "no chat template") {
		t.Fatalf("Prepare: %v; want a ConfigError naming chat_template and the missing template", err)
	}
	cfg.ChatTemplate, cfg.SystemPrompt = false, "be brief"
	if err := Prepare(cfg); !errors.As(err, &ce) || !strings.Contains(err.Error(), "system_prompt") {
		t.Fatalf("system_prompt without chat_template: %v; want a ConfigError naming system_prompt", err)
	}
}

// Every built-in env plays an episode and gives SFT sequences with a real BPE tokenizer (Qwen3's),
// with plain prompts and through the chat template; every context holds the task's prompt.
func TestEveryEnvWorksWithABPETokenizer(t *testing.T) {
	dir := writeTinyQwen3(t, filepath.Join(t.TempDir(), "qwen3"), tinyQwen3{Hidden: 16, Layers: 1, Heads: 2, KVHeads: 1, HeadDim: 8, MLP: 16, Context: 256}, 4)
	pol, err := policy.LoadPolicy(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := chat.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok := pol.Tokenizer()
	for _, c := range []struct {
		name string
		args map[string]any
	}{
		{"arithmetic", map[string]any{"digits_min": 1, "digits_max": 2}},
		{"countdown", nil},
		{"dataset", map[string]any{"path": filepath.Join("..", "configs", "data", "gsm8k-sample.jsonl"), "prompt_column": "question", "held_out_fraction": 0.25}},
		{"correction", map[string]any{"base": "arithmetic"}},
		{"tool", nil},
	} {
		env, err := envs.New(c.name, c.args)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		task := env.Tasks().HeldOut()[0]
		for _, withChat := range []bool{false, true} {
			codec := mustPlainCodec(tok)
			if withChat {
				codec = codec.withTemplate(tmpl, "Be brief.")
			}
			p := &player{pol: pol, env: env, opts: policy.SampleOptions{MaxNewTokens: 6, Temperature: 1}, codec: codec}
			trajs, err := p.play(t.Context(), []envs.Task{task}, 2, 1, 0)
			if err != nil {
				t.Fatalf("%s (chat %v): %v", c.name, withChat, err)
			}
			for _, tr := range trajs {
				for k, turn := range tr.Turns {
					if text := tok.Decode(turn.Context); !strings.Contains(text, task.Prompt) {
						t.Fatalf("%s (chat %v) turn %d: context %q lacks the prompt %q", c.name, withChat, k+1, text, task.Prompt)
					}
				}
			}
			seqs, err := sftSequences(codec, env, task, pol.ContextLen(), 1)
			if err != nil && !strings.Contains(err.Error(), "no reference solution") {
				t.Fatalf("%s (chat %v): sft: %v", c.name, withChat, err)
			}
			for _, s := range seqs {
				if s.Completion[len(s.Completion)-1] != codec.eosID {
					t.Fatalf("%s (chat %v): an SFT target does not end with EOS", c.name, withChat)
				}
			}
		}
		if cl, ok := env.(interface{ Close() error }); ok {
			cl.Close()
		}
	}
}
