package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/ardanlabs/jinja"
)

// Files of a checkpoint folder that hold the template. Like transformers, a chat_template.jinja
// file wins over tokenizer_config.json's "chat_template" key.
const (
	TemplateFile        = "chat_template.jinja"
	TokenizerConfigFile = "tokenizer_config.json"
)

// specialTokenNames are the special tokens transformers hands to the template (its
// special_tokens_map); the ones the tokenizer leaves unset stay undefined in the template.
var specialTokenNames = []string{"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}

// Load reads the chat template of a checkpoint folder, with the special tokens of its
// tokenizer_config.json. A folder without a template gives an error wrapping ErrNoTemplate.
func Load(dir string) (*Template, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("chat: load: %s is not a folder (give a checkpoint folder with tokenizer_config.json)", dir)
	}
	cfgPath := filepath.Join(dir, TokenizerConfigFile)
	var cfg tokenizerConfig
	switch raw, err := os.ReadFile(cfgPath); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("chat: load: %w", err)
	default:
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, fmt.Errorf("chat: load %s: %w", cfgPath, err)
		}
	}
	source, origin, err := templateSource(dir, cfg, cfgPath)
	if err != nil {
		return nil, err
	}
	specials := map[string]string{}
	for _, name := range specialTokenNames {
		tok, err := tokenText(cfg.raw(name))
		if err != nil {
			return nil, fmt.Errorf("chat: load %s: %q: %w", cfgPath, name, err)
		}
		if tok != nil {
			specials[name] = *tok
		}
	}
	t, err := Parse(source, origin, specials)
	if err != nil {
		return nil, fmt.Errorf("chat: load: %w", err)
	}
	if extra := cfg.raw("additional_special_tokens"); extra != nil {
		var list []json.RawMessage
		if err := json.Unmarshal(extra, &list); err != nil {
			return nil, fmt.Errorf("chat: load %s: \"additional_special_tokens\" must be a list: %w", cfgPath, err)
		}
		items := make([]jinja.Value, 0, len(list))
		for _, item := range list {
			tok, err := tokenText(item)
			if err != nil || tok == nil {
				return nil, fmt.Errorf("chat: load %s: \"additional_special_tokens\" holds %s, not a token", cfgPath, item)
			}
			items = append(items, jinja.NewString(*tok))
		}
		t.specials["additional_special_tokens"] = jinja.NewList(items)
	}
	return t, nil
}

// tokenizerConfig is tokenizer_config.json, kept raw: each key is read when needed.
type tokenizerConfig map[string]json.RawMessage

func (c tokenizerConfig) raw(key string) json.RawMessage {
	v, ok := c[key]
	if !ok || string(v) == "null" {
		return nil
	}
	return v
}

// templateSource picks the template: chat_template.jinja, else tokenizer_config.json's
// chat_template (a string, or a list of {name, template} from which "default" is taken).
func templateSource(dir string, cfg tokenizerConfig, cfgPath string) (source, origin string, err error) {
	jinjaPath := filepath.Join(dir, TemplateFile)
	if raw, err := os.ReadFile(jinjaPath); err == nil {
		return string(raw), jinjaPath, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("chat: load: %w", err)
	}
	raw := cfg.raw("chat_template")
	if raw == nil {
		return "", "", fmt.Errorf("chat: load %s: %w: neither %s nor a \"chat_template\" key in %s (base checkpoints often ship none; use the instruct checkpoint of the family)",
			dir, ErrNoTemplate, TemplateFile, TokenizerConfigFile)
	}
	origin = cfgPath + " (chat_template)"
	if err := json.Unmarshal(raw, &source); err == nil {
		return source, origin, nil
	}
	var named []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &named); err != nil {
		return "", "", fmt.Errorf("chat: load %s: \"chat_template\" must be a string or a list of {\"name\", \"template\"}: %w", cfgPath, err)
	}
	var names []string
	for _, n := range named {
		if n.Name == "default" {
			return n.Template, cfgPath + ` (chat_template "default")`, nil
		}
		names = append(names, n.Name)
	}
	sort.Strings(names)
	return "", "", fmt.Errorf("chat: load %s: \"chat_template\" lists the templates %q but none named \"default\", the one used for plain chat", cfgPath, names)
}

// tokenText reads a special token: a string, an AddedToken object {"content": ...}, or null
// (nil: the tokenizer does not set it).
func tokenText(raw json.RawMessage) (*string, error) {
	if raw == nil {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return &s, nil
	}
	var added struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(raw, &added); err != nil || added.Content == nil {
		return nil, fmt.Errorf("want a string or {\"content\": ...}, got %s", raw)
	}
	return added.Content, nil
}
