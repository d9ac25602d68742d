package bpe

import "grit/policy"

// Kind is the tokenizer.json model type this package reads; policy.LoadTokenizerDir and
// policy.LoadPolicy use it for Hugging Face folders once this package is imported.
const Kind = "BPE"

func init() {
	policy.RegisterTokenizer(Kind, func(dir string, _ []byte) (policy.Tokenizer, error) {
		return Load(dir)
	})
}
