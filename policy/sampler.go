package policy

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"grit/tensor"
)

// samplingStream separates the sampler's random stream from other uses of the same seed.
const samplingStream = 0x5a17_c0de_5eed_0001

// Sample generates one completion per prompt with a KV cache. All prompts are prefilled in one pass,
// then each step feeds the last token of every unfinished sequence. Sequence i draws its randomness
// from its own PCG stream seeded by seeds[i] (one uniform per sampled token), and its arithmetic does
// not depend on the other sequences, so its output depends only on (model, prompt, seed, options).
//
// A sequence stops on EOS (any id of EOSIDs() too, for a tokenizer that has that method) or a stop
// string (Finished), or is truncated at MaxNewTokens or when it
// reaches Context+1 tokens (Finished false). LogProbs are under the untempered distribution.
func (m *GPT) Sample(prompts [][]int, seeds []uint64, opts SampleOptions) ([]Generation, error) {
	if err := m.checkSampleArgs(prompts, seeds, opts); err != nil {
		return nil, err
	}
	gens := make([]Generation, len(prompts))
	if len(prompts) == 0 || opts.MaxNewTokens == 0 {
		return gens, nil
	}
	longest := 0
	for _, p := range prompts {
		longest = max(longest, len(p))
	}
	// positions read: at most longest+MaxNewTokens-1 (the last sampled token is never read)
	in := newInference(m, len(prompts), longest+opts.MaxNewTokens)
	defer in.release()
	rngs := make([]*rand.Rand, len(prompts))
	scratch := make([]samplingScratch, len(prompts))
	var rows []inferRow
	var want []int
	for s, p := range prompts {
		rngs[s] = rand.New(rand.NewPCG(seeds[s], samplingStream))
		for pos, tok := range p {
			rows = append(rows, inferRow{seq: s, pos: pos, token: tok})
		}
		want = append(want, len(rows)-1)
	}
	active := make([]int, len(prompts)) // sequences whose logits are in the current batch, in order
	for s := range active {
		active[s] = s
	}
	eos, vocab := eosIDs(m.tok), m.cfg.Vocab
	for len(active) > 0 {
		logits := in.forward(rows, want) // [len(active), V]
		rows, want = rows[:0], want[:0]
		// Each sequence's choice reads only its own logits, stream and scratch: run them in parallel.
		tensor.Parallel(len(active), func(lo, hi int) {
			for j := lo; j < hi; j++ {
				s := active[j]
				lg := logits[j*vocab : (j+1)*vocab]
				var u float64
				if opts.Temperature > 0 {
					u = rngs[s].Float64()
				}
				tok := chooseToken(lg, opts.Temperature, opts.TopK, opts.TopP, u, &scratch[s])
				gens[s].Tokens = append(gens[s].Tokens, tok)
				gens[s].LogProbs = append(gens[s].LogProbs, logProbOf(lg, tok, &scratch[s]))
			}
		})
		next := active[:0]
		for _, s := range active {
			g := &gens[s]
			tok := g.Tokens[len(g.Tokens)-1]
			if eos[tok] || hitsStopString(m.tok, g.Tokens, opts.StopStrings) {
				g.Finished = true
				continue
			}
			total := len(prompts[s]) + len(g.Tokens)
			if len(g.Tokens) >= opts.MaxNewTokens || total > m.cfg.Context {
				continue // truncated
			}
			rows = append(rows, inferRow{seq: s, pos: total - 1, token: tok})
			want = append(want, len(rows)-1)
			next = append(next, s)
		}
		active = next
	}
	for s := range gens {
		toks := gens[s].Tokens
		if n := len(toks); n > 0 && eos[toks[n-1]] {
			toks = toks[:n-1]
		}
		gens[s].Text = m.tok.Decode(toks)
	}
	return gens, nil
}

// multiEOS is implemented by tokenizers with several end-of-sequence ids (a chat model's end-of-turn
// token besides its EOS, e.g. the eos_token_id list of a Hugging Face generation config).
type multiEOS interface {
	EOSIDs() []int
}

// eosIDs is the set of ids that finish a sequence: tok.EOS() and, when tok implements multiEOS,
// every id of EOSIDs(). Negative ids (no such token) are left out.
func eosIDs(tok Tokenizer) map[int]bool {
	ids := map[int]bool{}
	add := func(id int) {
		if id >= 0 {
			ids[id] = true
		}
	}
	add(tok.EOS())
	if me, ok := tok.(multiEOS); ok {
		for _, id := range me.EOSIDs() {
			add(id)
		}
	}
	return ids
}

func hitsStopString(tok Tokenizer, tokens []int, stops []string) bool {
	if len(stops) == 0 {
		return false
	}
	text := tok.Decode(tokens)
	for _, s := range stops {
		if s != "" && strings.HasSuffix(text, s) {
			return true
		}
	}
	return false
}

func (m *GPT) checkSampleArgs(prompts [][]int, seeds []uint64, opts SampleOptions) error {
	if len(seeds) != len(prompts) {
		return fmt.Errorf("policy: Sample got %d prompts but %d seeds; pass one seed per prompt", len(prompts), len(seeds))
	}
	switch {
	case opts.MaxNewTokens < 0:
		return fmt.Errorf("policy: SampleOptions.MaxNewTokens is %d; it must be >= 0", opts.MaxNewTokens)
	case opts.Temperature < 0:
		return fmt.Errorf("policy: SampleOptions.Temperature is %g; use 0 for greedy or a positive value", opts.Temperature)
	case opts.TopK < 0:
		return fmt.Errorf("policy: SampleOptions.TopK is %d; use 0 to disable it", opts.TopK)
	case opts.TopP < 0 || opts.TopP > 1:
		return fmt.Errorf("policy: SampleOptions.TopP is %g; it must lie in [0, 1] (0 or 1 disables it)", opts.TopP)
	}
	for s, p := range prompts {
		if len(p) == 0 {
			return fmt.Errorf("policy: prompt %d is empty; start prompts with BOS", s)
		}
		if len(p) > m.cfg.Context {
			return fmt.Errorf("policy: prompt %d has %d tokens but the model reads at most Context=%d", s, len(p), m.cfg.Context)
		}
		if err := checkTokens(p, m.cfg.Vocab, "prompt", s); err != nil {
			return err
		}
	}
	return nil
}
