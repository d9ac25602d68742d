package trainers

import (
	"fmt"

	"grit/policy"
	"grit/policy/chat"
)

// promptCodec turns an env's text into the tokens the policy reads, and the policy's tokens back
// into the text the env scores.
//
// Plain (chat_template: false): a prompt is [BOS] + Encode(prompt), with BOS only when the
// tokenizer puts one first (grit's character tokenizer always; a Hugging Face tokenizer when its
// post-processor adds one). A later turn's context is the previous context, the generated tokens
// (with their EOS) and Encode(observation).
//
// Chat (chat_template: true): the conversation is rendered through the checkpoint's chat template
// with the generation prompt added, and the rendered text is encoded without adding special tokens
// (the template writes them). The first turn is [system: system_prompt (when set)], [user: prompt];
// each later turn appends [assistant: the previous completion's text] and [user: observation].
type promptCodec struct {
	tok    policy.Tokenizer
	addBOS bool
	tmpl   *chat.Template // nil: plain prompts
	system string
	eos    map[int]bool // ids that end a completion
	eosID  int          // the EOS that ends SFT targets: the first of the tokenizer's EOS ids
}

// bosAdder is implemented by tokenizers that know whether their post-processor puts BOS first
// (Hugging Face tokenizers); a tokenizer without it follows grit's convention: BOS first.
type bosAdder interface{ AddsBOS() bool }

// eosLister is implemented by tokenizers with several ids that end generation (a chat model's
// end-of-turn token besides its EOS).
type eosLister interface{ EOSIDs() []int }

// specialSkipper is implemented by tokenizers whose Decode keeps special tokens as text; completions
// are decoded without them.
type specialSkipper interface{ DecodeSkipSpecial(ids []int) string }

// newPromptCodec builds the plain codec of a tokenizer. It fails when the tokenizer names no EOS
// (completions could never end and SFT targets would have no end).
func newPromptCodec(tok policy.Tokenizer) (*promptCodec, error) {
	c := &promptCodec{tok: tok, addBOS: true, eos: map[int]bool{}, eosID: -1}
	if b, ok := tok.(bosAdder); ok {
		c.addBOS = b.AddsBOS()
	}
	if c.addBOS && tok.BOS() < 0 {
		c.addBOS = false // the post-processor adds a token the files do not name as BOS: nothing to add
	}
	ids := []int{tok.EOS()}
	if l, ok := tok.(eosLister); ok {
		ids = l.EOSIDs()
	}
	for _, id := range ids {
		if id < 0 {
			continue
		}
		if c.eosID < 0 {
			c.eosID = id
		}
		c.eos[id] = true
	}
	if c.eosID < 0 {
		return nil, fmt.Errorf("the tokenizer names no EOS token, so completions cannot end; set eos_token in tokenizer_config.json (or eos_token_id in generation_config.json) of the init folder")
	}
	return c, nil
}

// withTemplate switches the codec to chat prompts rendered by tmpl, with system as the system
// message when not empty.
func (c *promptCodec) withTemplate(tmpl *chat.Template, system string) *promptCodec {
	cc := *c
	cc.tmpl, cc.system = tmpl, system
	return &cc
}

// conversation is one episode's context: its tokens and, with a chat template, its messages.
type conversation struct {
	ids  []int
	msgs []chat.Message
}

// start is the context of an episode's first turn.
func (c *promptCodec) start(prompt string) (conversation, error) {
	if c.tmpl == nil {
		ids := c.tok.Encode(prompt)
		if c.addBOS {
			ids = append([]int{c.tok.BOS()}, ids...)
		}
		return conversation{ids: ids}, nil
	}
	return c.render([]chat.Message{{Role: "user", Content: prompt}})
}

// extend is the context after a turn: conv, the completion (tokens with their EOS, and its text)
// and the env's observation.
func (c *promptCodec) extend(conv conversation, completion []int, text, observation string) (conversation, error) {
	if c.tmpl == nil {
		ids := make([]int, 0, len(conv.ids)+len(completion)+len(observation))
		ids = append(append(append(ids, conv.ids...), completion...), c.tok.Encode(observation)...)
		return conversation{ids: ids}, nil
	}
	msgs := append(append([]chat.Message(nil), conv.msgs...),
		chat.Message{Role: "assistant", Content: text}, chat.Message{Role: "user", Content: observation})
	return c.render(msgs)
}

func (c *promptCodec) render(msgs []chat.Message) (conversation, error) {
	text, err := c.tmpl.Render(msgs, chat.Options{AddGenerationPrompt: true, SystemPrompt: c.system})
	if err != nil {
		return conversation{}, fmt.Errorf("chat_template: %w", err)
	}
	return conversation{ids: c.tok.Encode(text), msgs: msgs}, nil
}

// target is an SFT completion: the tokens of text and the EOS.
func (c *promptCodec) target(text string) []int {
	return append(c.tok.Encode(text), c.eosID)
}

// finish cuts a generation at its first EOS id (the sampler may stop only on the tokenizer's main
// EOS) and sets its text: the tokens before the EOS, decoded without special tokens.
func (c *promptCodec) finish(g policy.Generation) policy.Generation {
	for i, id := range g.Tokens {
		if c.eos[id] {
			g.Tokens, g.LogProbs, g.Finished = g.Tokens[:i+1], g.LogProbs[:i+1], true
			break
		}
	}
	body := g.Tokens
	if n := len(body); n > 0 && c.eos[body[n-1]] {
		body = body[:n-1]
	}
	if s, ok := c.tok.(specialSkipper); ok {
		g.Text = s.DecodeSkipSpecial(body)
	} else {
		g.Text = c.tok.Decode(body)
	}
	return g
}

// prompts is the run's codec: plain, or the chat template loaded by prepare (chat_template: true).
func (t *trainer) prompts() (*promptCodec, error) {
	if t.codec == nil {
		c, err := newPromptCodec(t.pol.Tokenizer())
		if err != nil {
			return nil, fmt.Errorf("init %s: %w", t.cfg.Init, err)
		}
		if t.tmpl != nil {
			c = c.withTemplate(t.tmpl, t.cfg.SystemPrompt)
		}
		t.codec = c
	}
	return t.codec, nil
}

// loadChatTemplate reads the init folder's chat template when chat_template is true.
func loadChatTemplate(cfg Config) (*chat.Template, error) {
	if !cfg.ChatTemplate {
		return nil, nil
	}
	tmpl, err := chat.Load(cfg.Init)
	if err != nil {
		return nil, fmt.Errorf("chat_template: true, but the init folder has no usable chat template (%v); set chat_template: false or use a folder with one", err)
	}
	return tmpl, nil
}
