package hf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"grit/policy"
	"grit/tensor"
)

// Model is a policy loaded from a Hugging Face folder: grit's GPT computes it (training forward,
// backward and sampling), and Save writes the family's own folder layout back.
type Model struct {
	*policy.GPT
	family *family
	config map[string]any    // config.json as read; Save writes it back with dtype "float32"
	prefix string            // the base-model name prefix Save writes
	files  map[string][]byte // tokenizer and generation files of the source folder
}

// ModelType is the Hugging Face model_type ("llama", "qwen2", "qwen3", "gpt2").
func (m *Model) ModelType() string { return m.family.modelType }

// HFConfig returns a copy of the config.json Save writes.
func (m *Model) HFConfig() map[string]any { return m.savedConfig() }

// savedConfig is the source config.json with the keys Save changes: the weights are written as
// float32, so torch_dtype (v4) and dtype (v5) say "float32" (torch_dtype is added when neither is
// set), and model_type / architectures name the family.
func (m *Model) savedConfig() map[string]any {
	out := make(map[string]any, len(m.config)+2)
	for k, v := range m.config {
		out[k] = v
	}
	out["model_type"] = m.family.modelType
	if _, ok := out["architectures"]; !ok {
		out["architectures"] = []any{m.family.architecture}
	}
	_, v4 := out["torch_dtype"]
	_, v5 := out["dtype"]
	if v4 || !v5 {
		out["torch_dtype"] = "float32"
	}
	if v5 {
		out["dtype"] = "float32"
	}
	return out
}

// Save writes dir as a Hugging Face folder transformers opens: model.safetensors (float32, the
// family's tensor names and layouts, one file; a tied lm_head is left out as transformers does),
// config.json (the source's keys, sorted and indented like transformers writes it) and the source's
// tokenizer and generation files. A folder that holds a sharded index already is refused, since its
// shards would go stale.
func (m *Model) Save(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, IndexFile)); err == nil {
		return fmt.Errorf("hf: save %s: the folder holds a sharded checkpoint (%s); save into an empty folder", dir, IndexFile)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("hf: save: %w", err)
	}
	params := paramsByName(m.GPT)
	weights := map[string]*tensor.Tensor{}
	for _, s := range m.family.slots(m.Config(), m.prefix) {
		weights[s.name] = s.extract(params[s.param])
	}
	if err := policy.WriteSafetensors(filepath.Join(dir, policy.WeightsFile), weights, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("hf: save: %w", err)
	}
	cfgJSON, err := json.MarshalIndent(m.savedConfig(), "", "  ")
	if err != nil {
		return fmt.Errorf("hf: save %s: config: %w", dir, err)
	}
	files := map[string][]byte{policy.ConfigFile: append(cfgJSON, '\n')}
	for name, data := range m.files {
		files[name] = data
	}
	for name, data := range files {
		if err := writeAtomic(filepath.Join(dir, name), data); err != nil {
			return fmt.Errorf("hf: save: %w", err)
		}
	}
	return nil
}

// writeAtomic writes data to a temporary file next to path and renames it into place.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

var _ policy.Policy = (*Model)(nil)
