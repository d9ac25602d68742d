package trainers

import (
	"fmt"
	"os"

	"grit/policy"
	_ "grit/policy/bpe" // Hugging Face BPE tokenizers (tokenizer.json with model.type BPE)
	_ "grit/policy/hf"  // Hugging Face model families: llama, qwen2, qwen3, gpt2
)

// initPolicy builds the starting policy: the checkpoint folder named by `init` (grits own or a
// Hugging Face folder of any registered family, read through policy.LoadPolicy), or a fresh model with the
// `model` architecture and the default character tokenizer, initialised from the run's seed.
func initPolicy(cfg Config) (policy.Policy, error) {
	if cfg.Init != "" {
		if _, err := os.Stat(cfg.Init); err != nil {
			return nil, fmt.Errorf("init: cannot open checkpoint folder %q (%v); in a config file a relative init is relative to that file's folder, on the command line to the working directory", cfg.Init, err)
		}
		pol, err := policy.LoadPolicy(cfg.Init)
		if err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		return pol, nil
	}
	tok := policy.DefaultCharTokenizer()
	pc := cfg.Model
	pc.Vocab = tok.VocabSize()
	pol, err := policy.NewGPT(pc, tok, streamSeed(cfg.Seed, "init"))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return pol, nil
}
