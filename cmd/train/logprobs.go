package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"grit/policy"
	"grit/policy/chat"
)

// logprobsFlags are `train logprobs`'s flags.
type logprobsFlags struct {
	checkpoint, text string
	chat, json       bool
}

func (a *app) logprobsCommand() *cobra.Command {
	var f logprobsFlags
	cmd := &cobra.Command{
		Use:   "logprobs --checkpoint DIR --text TEXT",
		Short: "Print the token ids of a text and each token's log-probability under a checkpoint",
		Long: `logprobs tokenizes TEXT as the checkpoint's tokenizer does (grit's character tokenizer: BOS, then
one id per character; a Hugging Face tokenizer: what its post-processor adds) and computes its log-probs by
teacher forcing: token i's log-probability is log p(id_i | id_0 .. id_{i-1}). The first token is
context only. With --chat, TEXT is one user message rendered through the checkpoint's chat
template with the generation prompt; the special tokens the template writes are not added again.
Compare the numbers with another implementation (e.g. transformers) to check a checkpoint's parity.`,
		Example: `  train logprobs --checkpoint configs/base/arithmetic --text "12+34=46"
  train logprobs --checkpoint DIR --text "What is 2+2?" --chat --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return configErrorf("logprobs: unexpected argument %q; give the text with --text TEXT", args[0])
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return a.runLogprobs(f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.checkpoint, "checkpoint", "", "policy folder: a run's checkpoints/latest or best, a base policy, or a Hugging Face folder (required)")
	fl.StringVar(&f.text, "text", "", "the text whose log-probs to print (required)")
	fl.BoolVar(&f.chat, "chat", false, "render TEXT as one user message through the checkpoint's chat template, with the generation prompt")
	fl.BoolVar(&f.json, "json", false, `print {"ids": [...], "tokens": [...], "logprobs": [...]}; logprobs[i] belongs to ids[i+1]`)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return configError{err} })
	return cmd
}

// textLogProbs is what logprobs prints: LogProbs[i] = log p(IDs[i+1] | IDs[:i+1]).
type textLogProbs struct {
	IDs      []int     `json:"ids"`
	Tokens   []string  `json:"tokens"`
	LogProbs []float32 `json:"logprobs"`
}

func (a *app) runLogprobs(f logprobsFlags) error {
	switch {
	case f.checkpoint == "":
		return configErrorf("logprobs: --checkpoint DIR is required (a run's checkpoints/latest or best, a base policy such as configs/base/arithmetic, or a Hugging Face folder)")
	case f.text == "":
		return configErrorf("logprobs: --text is empty; give the text whose log-probs to print")
	}
	if st, err := os.Stat(f.checkpoint); err != nil || !st.IsDir() {
		return configErrorf("logprobs: --checkpoint %s is not a folder (give a checkpoint folder with config.json, model.safetensors and tokenizer.json)", f.checkpoint)
	}
	p, err := policy.LoadPolicy(f.checkpoint)
	if err != nil {
		return configErrorf("logprobs: %v", err)
	}
	ids, err := a.textIDs(p.Tokenizer(), f)
	if err != nil {
		return err
	}
	switch {
	case len(ids) < 2:
		return configErrorf("logprobs: the text is %d token(s); log-probs need at least 2 (the first one is only context)", len(ids))
	case len(ids) > p.ContextLen():
		return configErrorf("logprobs: the text is %d tokens, longer than the model's context of %d; shorten --text", len(ids), p.ContextLen())
	}
	lps, err := p.LogProbs([]policy.Sequence{{Prompt: ids[:1], Completion: ids[1:]}})
	if err != nil {
		return fmt.Errorf("logprobs: %w", err)
	}
	out := textLogProbs{IDs: ids, LogProbs: lps[0]}
	for _, id := range ids {
		out.Tokens = append(out.Tokens, tokenString(p.Tokenizer(), id))
	}
	for i, lp := range out.LogProbs {
		if math.IsNaN(float64(lp)) || math.IsInf(float64(lp), 0) {
			return fmt.Errorf("logprobs: token %d (id %d) has log-probability %v: the checkpoint's weights produce non-finite numbers", i+1, ids[i+1], lp)
		}
	}
	if f.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false) // tokens such as <bos> stay readable
		return enc.Encode(out)
	}
	a.printLogProbs(f, out)
	return nil
}

// bosAdder is implemented by tokenizers that know whether their post-processor puts BOS first
// (Hugging Face tokenizers); a tokenizer without it follows grit's convention: BOS first.
type bosAdder interface{ AddsBOS() bool }

// unknownMarker is implemented by tokenizers that map text they cannot represent to an UNK id.
type unknownMarker interface{ UNK() int }

// textIDs tokenizes the text as the checkpoint's tokenizer does, or, with --chat, renders it
// as one user message through the chat template and tokenizes the result without adding special
// tokens (the template writes them).
func (a *app) textIDs(tok policy.Tokenizer, f logprobsFlags) ([]int, error) {
	text := f.text
	addBOS := true
	if b, ok := tok.(bosAdder); ok {
		addBOS = b.AddsBOS()
	}
	var tmpl *chat.Template
	if f.chat {
		var err error
		if tmpl, err = chat.Load(f.checkpoint); err != nil {
			return nil, configErrorf("logprobs: --chat needs the checkpoint's chat template: %v", err)
		}
		if text, err = tmpl.Render([]chat.Message{{Role: "user", Content: f.text}}, chat.Options{AddGenerationPrompt: true, Now: a.now}); err != nil {
			return nil, configErrorf("logprobs: --chat: %v", err)
		}
		addBOS = false
	}
	ids := tok.Encode(text)
	if err := checkKnown(tok, text, ids, f.checkpoint); err != nil {
		return nil, err
	}
	if addBOS {
		ids = append([]int{tok.BOS()}, ids...)
	}
	if tmpl != nil {
		ids = dropDoubledBOS(tok, tmpl, text, ids)
	}
	return ids, nil
}

// dropDoubledBOS removes a BOS that a tokenizer's Encode put before the BOS the template already
// wrote, so that the rendered special tokens are not added a second time.
func dropDoubledBOS(tok policy.Tokenizer, tmpl *chat.Template, text string, ids []int) []int {
	bos, ok := tmpl.SpecialToken("bos_token")
	if !ok || bos == "" || !strings.HasPrefix(text, bos) || strings.HasPrefix(text[len(bos):], bos) {
		return ids
	}
	if len(ids) >= 2 && ids[0] == tok.BOS() && ids[1] == tok.BOS() {
		return ids[1:]
	}
	return ids
}

// checkKnown refuses text whose characters the tokenizer maps to UNK, naming them.
func checkKnown(tok policy.Tokenizer, text string, ids []int, checkpoint string) error {
	u, ok := tok.(unknownMarker)
	if !ok {
		return nil
	}
	hasUNK := false
	for _, id := range ids {
		hasUNK = hasUNK || id == u.UNK()
	}
	if !hasUNK {
		return nil
	}
	var unknown []string
	seen := map[rune]bool{}
	for _, r := range text {
		if seen[r] {
			continue
		}
		seen[r] = true
		for _, id := range tok.Encode(string(r)) {
			if id == u.UNK() {
				unknown = append(unknown, fmt.Sprintf("%q", r))
				break
			}
		}
	}
	return configErrorf("logprobs: the tokenizer of %s does not know the characters %s in --text; use only characters of its tokenizer.json",
		checkpoint, strings.Join(unknown, ", "))
}

// tokenString is a token's text; special tokens that decode to nothing get a name.
func tokenString(tok policy.Tokenizer, id int) string {
	if s := tok.Decode([]int{id}); s != "" {
		return s
	}
	switch id {
	case tok.BOS():
		return "<bos>"
	case tok.EOS():
		return "<eos>"
	case tok.PAD():
		return "<pad>"
	}
	return fmt.Sprintf("<id %d>", id)
}

// printLogProbs writes one line per token and the total: sum_i log p(id_i | id_<i) and the
// perplexity exp(-mean).
func (a *app) printLogProbs(f logprobsFlags, s textLogProbs) {
	fmt.Fprintf(a.stdout, "%s: %d tokens, %d with log-probs (token 0 is context only)\n", f.checkpoint, len(s.IDs), len(s.LogProbs))
	fmt.Fprintf(a.stdout, "%5s  %8s  %-16s  %s\n", "i", "id", "token", "log-prob")
	var sum float64
	for i, id := range s.IDs {
		lp := "-"
		if i > 0 {
			lp = fmt.Sprintf("%.6f", s.LogProbs[i-1])
			sum += float64(s.LogProbs[i-1])
		}
		fmt.Fprintf(a.stdout, "%5d  %8d  %-16s  %s\n", i, id, fmt.Sprintf("%q", s.Tokens[i]), lp)
	}
	mean := sum / float64(len(s.LogProbs))
	fmt.Fprintf(a.stdout, "sum %.6f  mean %.6f  perplexity %.4f\n", sum, mean, math.Exp(-mean))
}
