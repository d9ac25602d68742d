package trainers

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"grit/envs"
	"grit/policy"
)

// Eval with ChatTemplate renders held-out prompts through the checkpoint's template: on a folder
// without one it is a config error, and on a folder with one the prompts Eval evaluates are the
// rendered user turn with the generation prompt.
func TestEvalWithChatTemplate(t *testing.T) {
	noTemplate := filepath.Join("..", "policy", "hf", "testdata", "qwen3")
	var ce *ConfigError
	_, err := Eval(context.Background(), EvalOptions{Checkpoint: noTemplate, Env: "arithmetic", MaxNew: 4, Tasks: 4, ChatTemplate: true})
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "chat template") {
		t.Fatalf("Eval with chat template on a folder without one: %v; want a ConfigError", err)
	}
	_, err = Eval(context.Background(), EvalOptions{Checkpoint: noTemplate, Env: "arithmetic", MaxNew: 4, Tasks: 4, SystemPrompt: "be brief"})
	if !errors.As(err, &ce) {
		t.Fatalf("Eval with a system prompt but no chat template: %v; want a ConfigError", err)
	}

	dir := writeTinyQwen3(t, filepath.Join(t.TempDir(), "qwen3"), tinyQwen3{Hidden: 16, Layers: 1, Heads: 2, KVHeads: 1, HeadDim: 8, MLP: 16, Context: 256}, 4)
	opts := EvalOptions{Checkpoint: dir, Env: "arithmetic", EnvArgs: map[string]any{"digits_min": 1, "digits_max": 1}, MaxNew: 4, Tasks: 4, Seed: 1}
	plain, err := Eval(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.ChatTemplate = true
	chatted, err := Eval(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// The codec Eval evaluates with: the template's rendering with ChatTemplate, plain without.
	pol, err := policy.LoadPolicy(dir)
	if err != nil {
		t.Fatal(err)
	}
	env, err := envs.New(opts.Env, opts.EnvArgs)
	if err != nil {
		t.Fatal(err)
	}
	prompt := heldOut(env, 1)[0].Prompt
	codec, err := evalCodec(pol, opts)
	if err != nil || codec == nil {
		t.Fatalf("evalCodec with ChatTemplate: %v, %v; want a template codec", codec, err)
	}
	conv, err := codec.start(prompt)
	if err != nil {
		t.Fatal(err)
	}
	if text := pol.Tokenizer().Decode(conv.ids); !strings.HasPrefix(text, "<|im_start|>user\n"+prompt) || !strings.HasSuffix(text, "<|im_start|>assistant\n") {
		t.Errorf("the template context is %q; want the user turn with %q and the generation prompt", text, prompt)
	}
	opts.ChatTemplate = false
	if codec, err := evalCodec(pol, opts); codec != nil || err != nil {
		t.Errorf("evalCodec without ChatTemplate: %v, %v; want nil (plain prompts)", codec, err)
	}
	if plain["tasks"] != 4 || chatted["tasks"] != 4 {
		t.Fatalf("tasks plain %v, chat %v; want 4 each", plain["tasks"], chatted["tasks"])
	}
}
