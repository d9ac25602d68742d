package trainers

import (
	"context"
	"fmt"
	"io"

	"grit/envs"
	"grit/policy"
)

// evalCheckpoint is Eval: load a policy folder and evaluate it on an env's held-out split. A
// missing or unreadable policy folder and a bad env are *ConfigError (the caller names the
// command; these messages do not).
func evalCheckpoint(ctx context.Context, opts EvalOptions) (EvalMetrics, error) {
	if opts.Checkpoint == "" {
		return nil, &ConfigError{fmt.Errorf("no checkpoint folder given (--checkpoint DIR)")}
	}
	if opts.MaxNew <= 0 {
		return nil, &ConfigError{fmt.Errorf("max new tokens must be > 0")}
	}
	pol, err := policy.LoadPolicy(opts.Checkpoint)
	if err != nil {
		return nil, &ConfigError{fmt.Errorf("--checkpoint %s is not a policy folder: %w", opts.Checkpoint, err)}
	}
	env, err := envs.New(opts.Env, opts.EnvArgs)
	if err != nil {
		return nil, &ConfigError{err}
	}
	if c, ok := env.(io.Closer); ok {
		defer c.Close()
	}
	if opts.RRR != nil { // an rrr run: reflect-and-retry episodes, as it was trained and evaluated
		if env, err = envs.ReflectRetry(env, opts.RRR.episodes()); err != nil {
			return nil, &ConfigError{err}
		}
	}
	codec, err := evalCodec(pol, opts)
	if err != nil {
		return nil, err
	}
	return evaluate(ctx, pol, codec, env, heldOut(env, opts.Tasks), opts.MaxNew, opts.PassK, streamSeed(opts.Seed, "eval"))
}

// evalCodec is how Eval encodes prompts: plain (nil), or through the checkpoint's chat template
// with opts.SystemPrompt, as a run with chat_template: true does.
func evalCodec(pol policy.Policy, opts EvalOptions) (*promptCodec, error) {
	if !opts.ChatTemplate {
		if opts.SystemPrompt != "" {
			return nil, &ConfigError{fmt.Errorf("a system prompt needs the chat template (--chat-template)")}
		}
		return nil, nil
	}
	tmpl, err := loadChatTemplate(Config{ChatTemplate: true, Init: opts.Checkpoint})
	if err != nil {
		return nil, &ConfigError{err}
	}
	plain, err := newPromptCodec(pol.Tokenizer())
	if err != nil {
		return nil, &ConfigError{err}
	}
	return plain.withTemplate(tmpl, opts.SystemPrompt), nil
}
