package policy

import "grit/tensor"

// Tokenizer maps text to token ids and back. The character tokenizer implements it;
// a BPE tokenizer can implement it later without touching trainers.
type Tokenizer interface {
	Encode(text string) []int
	Decode(ids []int) string
	VocabSize() int
	BOS() int
	EOS() int
	PAD() int
}

// SampleOptions control generation.
type SampleOptions struct {
	MaxNewTokens int      // hard cap on generated tokens per sequence
	Temperature  float32  // 0 means greedy (argmax)
	TopK         int      // 0 disables top-k
	TopP         float32  // 0 or 1 disables nucleus sampling
	StopStrings  []string // stop once the decoded completion ends with one of these
}

// Generation is one sampled completion.
type Generation struct {
	Tokens []int // generated token ids, including the EOS token when it stopped on EOS
	// LogProbs[i] is log pi(Tokens[i] | prefix) under the untempered model distribution,
	// exactly what LogProbs/Forward compute for the same tokens (agreement ~1e-5).
	LogProbs []float32
	Finished bool   // stopped on EOS or a stop string; false means truncated at MaxNewTokens
	Text     string // decoded Tokens without the EOS token
}

// Sequence is a prompt and a completion whose tokens get log-probs.
type Sequence struct {
	Prompt     []int // context tokens (BOS first); no log-probs
	Completion []int // predicted tokens: log-prob of Completion[i] given Prompt and Completion[:i]
}

// Pass is a training forward pass over a batch of sequences, holding what backward needs.
type Pass struct {
	LogProbs [][]float32 // [B][len(Completion)] per-token log-probs
	Entropy  [][]float32 // [B][len(Completion)] entropy of the next-token distribution at each predicted position
	// Backward accumulates into the policy's Params().Grad the parameter gradient of
	//   sum_b sum_t dLogProbs[b][t] * LogProbs[b][t] + dEntropy[b][t] * Entropy[b][t],
	// i.e. it back-propagates the per-token gradients dL/dlogp (and dL/dH for an entropy bonus;
	// dEntropy may be nil). Call at most once per Pass.
	Backward func(dLogProbs, dEntropy [][]float32) error
}

// Policy is what trainers talk to. Trainers never differentiate anything themselves:
// they compute dL/dlogp per token (package rl) and hand it to Pass.Backward.
type Policy interface {
	Tokenizer() Tokenizer
	ContextLen() int
	// Sample generates one completion per prompt. seeds[i] drives sequence i's randomness alone,
	// so outputs do not depend on batch composition or GOMAXPROCS.
	Sample(prompts [][]int, seeds []uint64, opts SampleOptions) ([]Generation, error)
	// LogProbs computes completions' log-probs without recording anything for backward.
	LogProbs(seqs []Sequence) ([][]float32, error)
	// Forward computes completions' log-probs and returns a Pass whose Backward fills Params' gradients.
	Forward(seqs []Sequence) (*Pass, error)
	Params() []*tensor.Param
	ZeroGrad()
	// Save writes weights (model.safetensors), config.json and tokenizer.json into dir atomically.
	Save(dir string) error
}
