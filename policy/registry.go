package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"grit/plugins"
)

// A ModelLoader builds a policy from a checkpoint folder. configJSON is the folder's config.json and
// tok its tokenizer, already loaded through the tokenizer registry.
type ModelLoader func(dir string, configJSON []byte, tok Tokenizer) (Policy, error)

// A TokenizerLoader builds a tokenizer from a checkpoint folder; tokenizerJSON is its tokenizer.json.
type TokenizerLoader func(dir string, tokenizerJSON []byte) (Tokenizer, error)

// GritModelType is the model_type of grit's own decoder (GPT). config.json files written before the
// key existed have no model_type and are read as this type.
const GritModelType = "grit"

// CharTokenizerType is the tokenizer.json "type" of the character tokenizer.
const CharTokenizerType = "char"

var (
	modelLoaders     = plugins.NewRegistry[ModelLoader]("model_type", "import the package that implements this model family")
	tokenizerLoaders = plugins.NewRegistry[TokenizerLoader]("tokenizer kind", "import the package that implements this tokenizer")
)

// RegisterModel makes LoadPolicy build folders whose config.json has this model_type with load.
// A model family package calls it from init(), as database/sql drivers do; registering one type
// twice panics.
func RegisterModel(modelType string, load ModelLoader) { modelLoaders.Register(modelType, load) }

// RegisterTokenizer makes LoadTokenizerDir read tokenizer.json files of this kind with load. The
// kind is the file's top-level "type" (grit's own tokenizers) or its "model"."type" (Hugging Face
// tokenizers: "BPE", ...).
func RegisterTokenizer(kind string, load TokenizerLoader) { tokenizerLoaders.Register(kind, load) }

// ModelTypes and TokenizerKinds list what is registered, sorted.
func ModelTypes() []string     { return modelLoaders.Names() }
func TokenizerKinds() []string { return tokenizerLoaders.Names() }

// LoadPolicy reads a checkpoint folder (config.json, weights, tokenizer.json) with the model family
// its config.json names and the tokenizer kind its tokenizer.json names.
func LoadPolicy(dir string) (Policy, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("policy: load %s: %w (a checkpoint folder holds config.json, model.safetensors and tokenizer.json)", dir, err)
	}
	modelType, err := modelTypeOf(raw)
	if err != nil {
		return nil, fmt.Errorf("policy: load %s: %w", filepath.Join(dir, ConfigFile), err)
	}
	load, err := modelLoaders.Lookup(modelType)
	if err != nil {
		return nil, fmt.Errorf("policy: load %s: %w", dir, err)
	}
	tok, err := LoadTokenizerDir(dir)
	if err != nil {
		return nil, err
	}
	return load(dir, raw, tok)
}

// LoadTokenizerDir reads dir/tokenizer.json with the registered loader of its kind.
func LoadTokenizerDir(dir string) (Tokenizer, error) {
	path := filepath.Join(dir, TokenizerFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: load tokenizer: %w", err)
	}
	kind, err := tokenizerKindOf(raw)
	if err != nil {
		return nil, fmt.Errorf("policy: load tokenizer %s: %w", path, err)
	}
	load, err := tokenizerLoaders.Lookup(kind)
	if err != nil {
		return nil, fmt.Errorf("policy: load tokenizer %s: %w", path, err)
	}
	return load(dir, raw)
}

// modelTypeOf reads config.json's model_type; grit's own configs written before the key existed
// are recognised by their d_model key.
func modelTypeOf(raw []byte) (string, error) {
	var head struct {
		ModelType string           `json:"model_type"`
		DModel    *json.RawMessage `json:"d_model"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return "", err
	}
	switch {
	case head.ModelType != "":
		return head.ModelType, nil
	case head.DModel != nil:
		return GritModelType, nil
	}
	return "", fmt.Errorf("no model_type key: cannot tell which model family wrote it")
}

// tokenizerKindOf reads tokenizer.json's "type" (grit) or "model"."type" (Hugging Face).
func tokenizerKindOf(raw []byte) (string, error) {
	var head struct {
		Type  string `json:"type"`
		Model struct {
			Type string `json:"type"`
		} `json:"model"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return "", err
	}
	switch {
	case head.Type != "":
		return head.Type, nil
	case head.Model.Type != "":
		return head.Model.Type, nil
	}
	return "", fmt.Errorf("neither \"type\" nor \"model\".\"type\" is set: cannot tell which tokenizer wrote it")
}

// CountParams is the number of scalar parameters of p (a tied embedding counts once).
func CountParams(p Policy) int {
	n := 0
	for _, q := range p.Params() {
		n += q.Value.Len()
	}
	return n
}

func init() {
	RegisterModel(GritModelType, func(dir string, configJSON []byte, tok Tokenizer) (Policy, error) {
		return loadGPT(dir, configJSON, tok)
	})
	RegisterTokenizer(CharTokenizerType, func(dir string, raw []byte) (Tokenizer, error) {
		return parseTokenizer(raw, filepath.Join(dir, TokenizerFile))
	})
}
