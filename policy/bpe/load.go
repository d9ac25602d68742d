package bpe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Option adds an optional file to LoadFile.
type Option func(*loadFiles)

type loadFiles struct{ config, generation string }

// WithConfig reads tokenizer_config.json at path (bos_token, eos_token, pad_token, chat_template).
func WithConfig(path string) Option { return func(f *loadFiles) { f.config = path } }

// WithGenerationConfig reads generation_config.json at path (eos_token_id, a number or a list).
func WithGenerationConfig(path string) Option { return func(f *loadFiles) { f.generation = path } }

// Load reads dir/tokenizer.json and, when present, dir/tokenizer_config.json and
// dir/generation_config.json (a Hugging Face model folder).
func Load(dir string) (*Tokenizer, error) {
	var opts []Option
	if p := filepath.Join(dir, "tokenizer_config.json"); exists(p) {
		opts = append(opts, WithConfig(p))
	}
	if p := filepath.Join(dir, "generation_config.json"); exists(p) {
		opts = append(opts, WithGenerationConfig(p))
	}
	return LoadFile(filepath.Join(dir, "tokenizer.json"), opts...)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// LoadFile reads a tokenizer.json and the optional files named by opts.
func LoadFile(tokenizerJSON string, opts ...Option) (*Tokenizer, error) {
	var files loadFiles
	for _, o := range opts {
		o(&files)
	}
	raw, err := os.ReadFile(tokenizerJSON)
	if err != nil {
		return nil, fmt.Errorf("bpe: %w", err)
	}
	t, err := parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bpe: %s: %w", tokenizerJSON, err)
	}
	var gen generationJSON
	if files.generation != "" {
		if err := readJSON(files.generation, &gen); err != nil {
			return nil, err
		}
	}
	var cfg configJSON
	if files.config != "" {
		if err := readJSON(files.config, &cfg); err != nil {
			return nil, err
		}
	}
	if err := t.setSpecialIDs(cfg, gen); err != nil {
		return nil, fmt.Errorf("bpe: special tokens of %s (tokenizer_config %q, generation_config %q): %w", tokenizerJSON, files.config, files.generation, err)
	}
	return t, nil
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("bpe: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("bpe: %s: %w", path, err)
	}
	return nil
}

type configJSON struct {
	BOS          json.RawMessage `json:"bos_token"`
	EOS          json.RawMessage `json:"eos_token"`
	PAD          json.RawMessage `json:"pad_token"`
	ChatTemplate json.RawMessage `json:"chat_template"`
}

type generationJSON struct {
	BOS json.RawMessage `json:"bos_token_id"`
	EOS json.RawMessage `json:"eos_token_id"`
	PAD json.RawMessage `json:"pad_token_id"`
}

// parse builds a Tokenizer from tokenizer.json's bytes.
func parse(raw []byte) (*Tokenizer, error) {
	var f fileJSON
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	model, err := newBPEModel(f.Model)
	if err != nil {
		return nil, err
	}
	t := &Tokenizer{model: model, added: f.AddedTokens, special: map[int]bool{}, bos: -1, eos: -1, pad: -1}
	if t.normalize, err = parseNormalizer(f.Normalizer); err != nil {
		return nil, err
	}
	if t.pretok, t.byteLevel, err = parsePreTokenizer(f.PreTokenizer); err != nil {
		return nil, err
	}
	if t.decode, err = parseDecoder(f.Decoder); err != nil {
		return nil, err
	}
	if t.post, err = parsePostProcessor(f.PostProcessor); err != nil {
		return nil, err
	}
	var rawTok, normTok []addedTokenJSON
	size := 0
	for tok, id := range model.vocab {
		if id < 0 {
			return nil, fmt.Errorf("model: vocab entry %q has negative id %d", tok, id)
		}
		size = max(size, id+1)
	}
	for i, a := range f.AddedTokens {
		if a.Content == "" || a.ID < 0 {
			return nil, fmt.Errorf("added_tokens[%d]: empty content or negative id (%q, %d)", i, a.Content, a.ID)
		}
		size = max(size, a.ID+1)
		if a.Special {
			t.special[a.ID] = true
		}
		if a.Normalized && t.normalize != nil {
			normTok = append(normTok, a)
		} else {
			rawTok = append(rawTok, a)
		}
	}
	t.raw, t.norm = newAddedMatcher(rawTok), newAddedMatcher(normTok)
	t.tokens = make([]string, size)
	for tok, id := range model.vocab {
		t.tokens[id] = tok
	}
	for _, a := range f.AddedTokens {
		t.tokens[a.ID] = a.Content
	}
	return t, nil
}

// setSpecialIDs resolves BOS, EOS, PAD and the EOS list from the optional configs.
func (t *Tokenizer) setSpecialIDs(cfg configJSON, gen generationJSON) error {
	lookup := func(key string, raw json.RawMessage) (int, error) {
		name, err := tokenContent(raw)
		if err != nil {
			return -1, fmt.Errorf("%s: %w", key, err)
		}
		if name == "" {
			return -1, nil
		}
		id, ok := t.TokenID(name)
		if !ok {
			return -1, fmt.Errorf("%s %q is not a token of tokenizer.json", key, name)
		}
		return id, nil
	}
	var err error
	if t.bos, err = lookup("bos_token", cfg.BOS); err != nil {
		return err
	}
	if t.eos, err = lookup("eos_token", cfg.EOS); err != nil {
		return err
	}
	if t.pad, err = lookup("pad_token", cfg.PAD); err != nil {
		return err
	}
	genBOS, err := intOrList(gen.BOS)
	if err != nil {
		return fmt.Errorf("generation_config bos_token_id: %w", err)
	}
	genEOS, err := intOrList(gen.EOS)
	if err != nil {
		return fmt.Errorf("generation_config eos_token_id: %w", err)
	}
	genPAD, err := intOrList(gen.PAD)
	if err != nil {
		return fmt.Errorf("generation_config pad_token_id: %w", err)
	}
	if t.bos < 0 && len(genBOS) > 0 {
		t.bos = genBOS[0]
	}
	if t.bos < 0 && len(t.post.prefix) > 0 {
		t.bos = t.post.prefix[0]
	}
	if t.eos < 0 && len(genEOS) > 0 {
		t.eos = genEOS[0]
	}
	if t.pad < 0 && len(genPAD) > 0 {
		t.pad = genPAD[0]
	}
	if t.pad < 0 {
		t.pad = t.eos
	}
	if t.eos >= 0 {
		t.eosIDs = append(t.eosIDs, t.eos)
	}
	for _, id := range genEOS {
		if id != t.eos {
			t.eosIDs = append(t.eosIDs, id)
		}
	}
	for _, id := range append([]int{t.bos, t.pad}, t.eosIDs...) {
		if id >= len(t.tokens) {
			return fmt.Errorf("special id %d is outside the vocabulary (size %d)", id, len(t.tokens))
		}
	}
	if !isNull(cfg.ChatTemplate) {
		if err := json.Unmarshal(cfg.ChatTemplate, &t.chatTemplate); err != nil {
			var named []struct {
				Name     string `json:"name"`
				Template string `json:"template"`
			}
			if err2 := json.Unmarshal(cfg.ChatTemplate, &named); err2 != nil {
				return fmt.Errorf("chat_template: want a string or a list of {name, template}: %w", err)
			}
			for _, n := range named {
				if n.Name == "default" {
					t.chatTemplate = n.Template
				}
			}
		}
	}
	return nil
}
