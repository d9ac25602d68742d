package policy

import "fmt"

// paddedBatch is a batch of sequences right-padded to a common length for the training forward.
// Row b*T+t of every [B*T, ...] tensor is sequence b at position t; position t reads token t and
// predicts token t+1. Padding rows read PAD and never predict a completion token; causal attention keeps them from
// influencing real rows.
type paddedBatch struct {
	B, T    int
	inputs  []int   // [B*T] token read at each row
	targets []int   // [B*T] token predicted at each completion row, -1 elsewhere
	rows    [][]int // [B][len(Completion)] row that predicts Completion[i]
}

// checkTokens reports an id outside [0, vocab).
func checkTokens(ids []int, vocab int, what string, b int) error {
	for i, id := range ids {
		if id < 0 || id >= vocab {
			return fmt.Errorf("policy: sequence %d: %s token %d is %d, outside the vocabulary [0, %d)", b, what, i, id, vocab)
		}
	}
	return nil
}

// newPaddedBatch lays out seqs, rejecting empty prompts, bad ids and sequences longer than
// Context+1 tokens.
func newPaddedBatch(seqs []Sequence, cfg Config, pad int) (*paddedBatch, error) {
	maxLen := 0
	for b, s := range seqs {
		if len(s.Prompt) == 0 {
			return nil, fmt.Errorf("policy: sequence %d has an empty prompt; start prompts with BOS", b)
		}
		if err := checkTokens(s.Prompt, cfg.Vocab, "prompt", b); err != nil {
			return nil, err
		}
		if err := checkTokens(s.Completion, cfg.Vocab, "completion", b); err != nil {
			return nil, err
		}
		l := len(s.Prompt) + len(s.Completion)
		if l > cfg.Context+1 {
			return nil, fmt.Errorf("policy: sequence %d has %d tokens (prompt %d + completion %d); the model reads at most Context=%d, so at most %d fit; shorten the prompt or MaxNewTokens",
				b, l, len(s.Prompt), len(s.Completion), cfg.Context, cfg.Context+1)
		}
		maxLen = max(maxLen, l)
	}
	pb := &paddedBatch{B: len(seqs), T: maxLen - 1, rows: make([][]int, len(seqs))}
	pb.inputs = make([]int, pb.B*pb.T)
	pb.targets = make([]int, pb.B*pb.T)
	for b, s := range seqs {
		full := append(append(make([]int, 0, len(s.Prompt)+len(s.Completion)), s.Prompt...), s.Completion...)
		for t := 0; t < pb.T; t++ {
			r := b*pb.T + t
			pb.inputs[r], pb.targets[r] = pad, -1
			if t < len(full) {
				pb.inputs[r] = full[t]
			}
		}
		pb.rows[b] = make([]int, len(s.Completion))
		for i, tok := range s.Completion {
			r := b*pb.T + len(s.Prompt) - 1 + i
			pb.targets[r] = tok
			pb.rows[b][i] = r
		}
	}
	return pb, nil
}
