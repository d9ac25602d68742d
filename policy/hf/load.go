package hf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"grit/policy"
	"grit/tensor"
)

// sideFiles are copied from the source folder by Save: the tokenizer and generation settings
// transformers reads next to the weights (whichever of them the source has).
var sideFiles = []string{"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json",
	"vocab.json", "merges.txt", "tokenizer.model", "added_tokens.json"}

// Load reads a Hugging Face folder of a registered family with the tokenizer its tokenizer.json
// names (policy.LoadPolicy does the same through the model registry).
func Load(dir string) (*Model, error) {
	p, err := policy.LoadPolicy(dir)
	if err != nil {
		return nil, err
	}
	m, ok := p.(*Model)
	if !ok {
		return nil, fmt.Errorf("hf: %s is not a Hugging Face checkpoint (it loaded as %T)", dir, p)
	}
	return m, nil
}

// load builds the model of family f from dir. The rule for a tied lm_head that is present on disk
// (some tied checkpoints store it): it must equal the token embedding bit for bit, and is then
// dropped; a different lm_head contradicts tie_word_embeddings and is an error.
func load(f *family, dir string, configJSON []byte, tok policy.Tokenizer) (*Model, error) {
	configPath := filepath.Join(dir, policy.ConfigFile)
	c, err := parseConfig(configPath, configJSON)
	if err != nil {
		return nil, err
	}
	cfg := f.config(c)
	if x, ok := c.get("architectures"); ok {
		list, isList := x.([]any)
		if !isList || !slices.Contains(list, any(f.architecture)) {
			c.fail("architectures is %v; a %s policy needs %q (a causal language model head)", x, f.modelType, f.architecture)
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	gpt, err := policy.NewGPTShapes(cfg, tok)
	if err != nil {
		return nil, fmt.Errorf("hf: %s: %w", configPath, err)
	}
	w, err := openWeights(dir)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	prefix := f.prefixes[0]
	for _, p := range f.prefixes { // GPT-2 base checkpoints name tensors without "transformer."
		if _, ok := w.where[f.slots(cfg, p)[0].name]; ok {
			prefix = p
			break
		}
	}
	slots := f.slots(cfg, prefix)
	if err := checkCoverage(gpt, slots); err != nil {
		return nil, err
	}
	params := paramsByName(gpt)
	var errs []error
	used := map[string]bool{}
	for _, s := range slots {
		used[s.name] = true
		t, err := readChecked(w, s.name, s.shape)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.fill(params[s.param], t)
	}
	if cfg.TieEmbeddings {
		if _, onDisk := w.where[f.headName]; onDisk {
			used[f.headName] = true
			head, err := readChecked(w, f.headName, []int{cfg.Vocab, cfg.DModel})
			if err == nil && !slices.Equal(head.Data, params["wte.weight"].Value.Data) {
				err = fmt.Errorf("hf: %s: tensor %q differs from the token embedding but tie_word_embeddings is true; set it false to keep a separate head", dir, f.headName)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	var extra []string
	for name := range w.where {
		if !used[name] && !f.ignored(name, prefix) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		errs = append(errs, fmt.Errorf("hf: %s: unexpected tensors %q for %s with this config.json (a different architecture or option?)", dir, extra, f.modelType))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, name := range sideFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			files[name] = data
		} else if !os.IsNotExist(err) {
			return nil, fmt.Errorf("hf: %w", err)
		}
	}
	return &Model{GPT: gpt, family: f, config: c.raw, prefix: f.prefixes[0], files: files}, nil
}

// readChecked reads a float tensor, requiring it to exist with the given shape.
func readChecked(w *shards, name string, shape []int) (*tensor.Tensor, error) {
	file, ok := w.where[name]
	if !ok {
		return nil, fmt.Errorf("hf: %s: tensor %q is missing (config.json implies shape %v)", w.dir, name, shape)
	}
	dtype, got, _ := file.Info(name)
	if !slices.Equal(got, shape) {
		return nil, fmt.Errorf("hf: %s: tensor %q has shape %v but config.json implies %v", file.Path, name, got, shape)
	}
	if !slices.Contains(policy.FloatDTypes, dtype) {
		return nil, fmt.Errorf("hf: %s: tensor %q has dtype %s; weights must be one of %q", file.Path, name, dtype, policy.FloatDTypes)
	}
	return file.Read(name)
}

func paramsByName(m *policy.GPT) map[string]*tensor.Param {
	out := map[string]*tensor.Param{}
	for _, p := range m.Params() {
		out[p.Name] = p
	}
	return out
}

// checkCoverage requires the slots to fill every parameter exactly: each param's slots must tile
// its rows without gap or overlap. A failure is a bug in a family's table, reported, not hidden.
func checkCoverage(m *policy.GPT, slots []slot) error {
	params := paramsByName(m)
	filled := map[string]int{}
	for _, s := range slots {
		p, ok := params[s.param]
		if !ok {
			return fmt.Errorf("hf: internal: tensor %q maps onto %q, which the model does not have", s.name, s.param)
		}
		n := elems(s.shape)
		if at := s.row * rowLen(p); at != filled[s.param] || at+n > p.Value.Len() {
			return fmt.Errorf("hf: internal: tensor %q does not continue %q at element %d", s.name, s.param, filled[s.param])
		}
		filled[s.param] += n
	}
	for name, p := range params {
		if filled[name] != p.Value.Len() {
			return fmt.Errorf("hf: internal: parameter %q is filled to %d of %d elements", name, filled[name], p.Value.Len())
		}
	}
	return nil
}

// rowLen is the number of elements in one row of p (1 for a vector).
func rowLen(p *tensor.Param) int { return elems(p.Value.Shape[1:]) }

func elems(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// fill copies t into its rows of p, transposing a Conv1D weight [in, out] into [out, in].
func (s slot) fill(p *tensor.Param, t *tensor.Tensor) {
	dst := p.Value.Data[s.row*rowLen(p):]
	if !s.transpose {
		copy(dst, t.Data)
		return
	}
	in, out := s.shape[0], s.shape[1]
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			dst[o*in+i] = t.Data[i*out+o]
		}
	}
}

// extract is fill's inverse: the Hugging Face tensor of this slot from p.
func (s slot) extract(p *tensor.Param) *tensor.Tensor {
	t := tensor.New(s.shape...)
	src := p.Value.Data[s.row*rowLen(p):]
	if !s.transpose {
		copy(t.Data, src)
		return t
	}
	in, out := s.shape[0], s.shape[1]
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			t.Data[i*out+o] = src[o*in+i]
		}
	}
	return t
}
