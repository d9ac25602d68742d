// Package chat renders a conversation into the prompt text a chat checkpoint was trained on, with
// the checkpoint's own Jinja chat template (tokenizer_config.json's "chat_template", or the file
// chat_template.jinja), the way Hugging Face transformers' apply_chat_template does it:
//
//   - the template sees messages (a list of {role, content}), add_generation_prompt, tools and
//     documents (both none), the tokenizer's special tokens by name (bos_token, eos_token,
//     pad_token, unk_token, ... as strings; a token the tokenizer does not set is undefined), and
//     enable_thinking only when Options.EnableThinking is set, so that every other variable keeps
//     the template's own default;
//   - blocks are rendered with trim_blocks and lstrip_blocks (the first newline after a block tag
//     is dropped, indentation before one is stripped);
//   - raise_exception(msg) stops rendering with msg as the error, and strftime_now(fmt) formats
//     Options.Now (Llama 3.x's "Today Date" line), so renders are reproducible.
//
// The Jinja engine is github.com/ardanlabs/jinja. Constructs that it would render differently
// from Python's Jinja are refused with an error naming them (see unsupported.go) instead of being
// rendered wrongly.
package chat

import (
	"errors"
	"fmt"
	"time"

	"github.com/ardanlabs/jinja"
)

// Message is one turn of a conversation. Role is "system", "user", "assistant" or "tool" (what a
// template accepts is up to the template); Content is its text.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Options are the render switches of apply_chat_template.
type Options struct {
	// AddGenerationPrompt ends the text with the opening of an assistant turn, so that the model's
	// continuation is the answer.
	AddGenerationPrompt bool
	// EnableThinking sets the template variable enable_thinking (Qwen3: false writes an empty
	// <think></think> block after the generation prompt). nil leaves it undefined: the template's
	// default.
	EnableThinking *bool
	// SystemPrompt, when not empty, is put before the messages as a system message. Messages that
	// already start with a system message and a SystemPrompt together are an error.
	SystemPrompt string
	// Now is the clock behind strftime_now; nil means time.Now.
	Now func() time.Time
}

// ErrNoTemplate is returned (wrapped, with the folder named) by Load for a checkpoint without a
// chat template, and by Render on a nil *Template.
var ErrNoTemplate = errors.New("no chat template")

// Template is a compiled chat template with the special tokens of its tokenizer.
type Template struct {
	source   string                 // the Jinja text
	origin   string                 // where it came from, for error messages
	specials map[string]jinja.Value // bos_token, eos_token, ... (strings; additional_special_tokens a list)
	tokens   map[string]string      // the string-valued specials, for SpecialToken
	compiled *jinja.Template
	guard    whitespaceGuard
}

// Parse compiles a chat template. specials maps special-token names (bos_token, eos_token, ...)
// to their text; origin names the source in error messages.
func Parse(source, origin string, specials map[string]string) (*Template, error) {
	if err := checkSupported(source); err != nil {
		return nil, fmt.Errorf("chat template %s: %w", origin, err)
	}
	compiled, err := jinja.Compile(source)
	if err != nil {
		return nil, fmt.Errorf("chat template %s: %w", origin, err)
	}
	t := &Template{source: source, origin: origin, specials: map[string]jinja.Value{}, tokens: map[string]string{},
		compiled: compiled, guard: newWhitespaceGuard(source)}
	for name, tok := range specials {
		t.specials[name] = jinja.NewString(tok)
		t.tokens[name] = tok
	}
	return t, nil
}

// Source is the template's Jinja text ("" for a nil template).
func (t *Template) Source() string {
	if t == nil {
		return ""
	}
	return t.source
}

// SpecialToken is the text of a special token by its tokenizer_config.json name ("bos_token",
// "eos_token", ...), and whether the tokenizer sets it.
func (t *Template) SpecialToken(name string) (string, bool) {
	if t == nil {
		return "", false
	}
	s, ok := t.tokens[name]
	return s, ok
}

// Render writes the conversation through the template.
func (t *Template) Render(messages []Message, opts Options) (string, error) {
	if t == nil {
		return "", fmt.Errorf("chat: render: %w (load one with chat.Load from a checkpoint folder that has one)", ErrNoTemplate)
	}
	if opts.SystemPrompt != "" {
		if len(messages) > 0 && messages[0].Role == "system" {
			return "", fmt.Errorf("chat: render: Options.SystemPrompt is set and messages[0] is already a system message; give the system prompt once")
		}
		messages = append([]Message{{Role: "system", Content: opts.SystemPrompt}}, messages...)
	}
	if len(messages) == 0 {
		return "", fmt.Errorf("chat: render: no messages (give at least one user message)")
	}
	for i, m := range messages {
		if err := t.guard.check(m.Content); err != nil {
			return "", fmt.Errorf("chat: render: message %d (%s): %w", i, m.Role, err)
		}
	}
	out, err := t.compiled.RenderValues(t.context(messages, opts))
	if err != nil {
		return "", fmt.Errorf("chat: render with template %s: %w", t.origin, err)
	}
	return out, nil
}

// context builds the template variables as apply_chat_template does. Each message is a dict with
// the keys role and content in that order (as Python builds it; tojson and items() see this order).
func (t *Template) context(messages []Message, opts Options) map[string]jinja.Value {
	msgs := make([]jinja.Value, len(messages))
	for i, m := range messages {
		d := jinja.NewDict()
		d.AsDict().Set("role", jinja.NewString(m.Role))
		d.AsDict().Set("content", jinja.NewString(m.Content))
		msgs[i] = d
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	ctx := map[string]jinja.Value{
		"messages":              jinja.NewList(msgs),
		"add_generation_prompt": jinja.NewBool(opts.AddGenerationPrompt),
		"tools":                 jinja.None(),
		"documents":             jinja.None(),
		"strftime_now":          strftimeNow(now),
	}
	for name, v := range t.specials {
		ctx[name] = v
	}
	if opts.EnableThinking != nil {
		ctx["enable_thinking"] = jinja.NewBool(*opts.EnableThinking)
	}
	return ctx
}
