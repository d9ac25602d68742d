package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"grit/tensor"
)

// Checkpoint file names inside a checkpoint directory.
const (
	WeightsFile   = "model.safetensors"
	ConfigFile    = "config.json"
	TokenizerFile = "tokenizer.json"
)

// Save writes model.safetensors, config.json and tokenizer.json into dir (created if needed), each
// through a temporary file and a rename. The tokenizer must implement json.Marshaler.
func (m *GPT) Save(dir string) error {
	tj, ok := m.tok.(json.Marshaler)
	if !ok {
		return fmt.Errorf("policy: save %s: tokenizer %T cannot be serialised (it needs a MarshalJSON method)", dir, m.tok)
	}
	tokJSON, err := tj.MarshalJSON()
	if err != nil {
		return fmt.Errorf("policy: save %s: tokenizer: %w", dir, err)
	}
	cfgJSON, err := json.MarshalIndent(m.cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("policy: save %s: config: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("policy: save: %w", err)
	}
	weights := make(map[string]*tensor.Tensor, len(m.params))
	for _, p := range m.params {
		weights[p.Name] = p.Value
	}
	meta := map[string]string{"format": "pt", "producer": "grit/policy"}
	if err := WriteSafetensors(filepath.Join(dir, WeightsFile), weights, meta); err != nil {
		return err
	}
	for name, data := range map[string][]byte{ConfigFile: cfgJSON, TokenizerFile: tokJSON} {
		if err := writeFileAtomic(filepath.Join(dir, name), func(f *os.File) error {
			_, err := f.Write(append(data, '\n'))
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// Load reads a checkpoint of grit's GPT written by Save (LoadPolicy reads any registered family). Every parameter the config implies must be present with
// the expected shape and hold only finite values; missing, misshapen, unexpected or non-finite
// tensors are errors naming the tensor and the file.
func Load(dir string) (*GPT, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("policy: load: %w", err)
	}
	tok, err := LoadTokenizer(filepath.Join(dir, TokenizerFile))
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return loadGPT(dir, raw, tok)
}

// loadGPT builds a GPT from its config.json bytes, its tokenizer and dir's weights.
func loadGPT(dir string, raw []byte, tok Tokenizer) (*GPT, error) {
	cfg := Config{Bias: true} // configs written before the bias key had biases everywhere
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("policy: load %s: %w", filepath.Join(dir, ConfigFile), err)
	}
	if cfg.ModelType != "" && cfg.ModelType != GritModelType {
		return nil, fmt.Errorf("policy: load %s: model_type %q is not grit's GPT (%q)", filepath.Join(dir, ConfigFile), cfg.ModelType, GritModelType)
	}
	m, err := newGPTShapes(cfg, tok)
	if err != nil {
		return nil, fmt.Errorf("policy: load %s: %w", dir, err)
	}
	path := filepath.Join(dir, WeightsFile)
	tensors, _, err := ReadSafetensors(path)
	if err != nil {
		return nil, fmt.Errorf("policy: load: %w", err)
	}
	if err := m.setWeights(tensors, path); err != nil {
		return nil, err
	}
	if err := CheckFinite(path, tensors); err != nil {
		return nil, fmt.Errorf("policy: load %w", err)
	}
	return m, nil
}

// setWeights copies named tensors into the parameters, checking names and shapes one by one.
func (m *GPT) setWeights(tensors map[string]*tensor.Tensor, path string) error {
	known := map[string]bool{}
	for _, p := range m.params {
		known[p.Name] = true
		t, ok := tensors[p.Name]
		if !ok {
			return fmt.Errorf("policy: load %s: tensor %q is missing (the config expects shape %v)", path, p.Name, p.Value.Shape)
		}
		if !slices.Equal(t.Shape, p.Value.Shape) {
			return fmt.Errorf("policy: load %s: tensor %q has shape %v but the config expects %v", path, p.Name, t.Shape, p.Value.Shape)
		}
		copy(p.Value.Data, t.Data)
	}
	var extra []string
	for name := range tensors {
		if !known[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("policy: load %s: unexpected tensors %q (checkpoint and config.json disagree)", path, extra)
	}
	return nil
}
