package trainers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/trainers"
	"grit/trainers/configfile"
)

// configs/hf-grpo.yaml passes every check of a run (what --dry-run does) once init points at a
// Hugging Face folder with a chat template: here the tiny Qwen3 fixture with a tokenizer_config.json
// holding a ChatML template.
func TestHFGRPOConfigValidates(t *testing.T) {
	if _, err := os.Stat("configs"); err != nil {
		t.Chdir("..") // the repository root
	}
	dir := t.TempDir()
	fixture := filepath.Join("policy", "hf", "testdata", "qwen3")
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		raw, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := configfile.Load(filepath.Join("configs", "hf-grpo.yaml"), []string{"init=" + dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.ChatTemplate || cfg.Env != "dataset" {
		t.Fatalf("hf-grpo.yaml: chat_template %v, env %q; want true and dataset", cfg.ChatTemplate, cfg.Env)
	}
	if err := trainers.Prepare(cfg); err == nil || !strings.Contains(err.Error(), "chat_template") {
		t.Fatalf("Prepare on a folder without a chat template: %v; want an error naming chat_template", err)
	}
	template := `{"eos_token": "<|im_end|>", "chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"}`
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(template), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := trainers.Prepare(cfg); err != nil {
		t.Fatalf("configs/hf-grpo.yaml with init=%s: %v", dir, err)
	}
}
