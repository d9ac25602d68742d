package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"grit/policy"
)

// IndexFile lists which shard holds each tensor of a sharded checkpoint.
const IndexFile = "model.safetensors.index.json"

// shards is the open weight files of a folder and the file that holds each tensor.
type shards struct {
	dir   string
	files []*policy.SafetensorsFile
	where map[string]*policy.SafetensorsFile
}

func (s *shards) Close() {
	for _, f := range s.files {
		f.Close()
	}
}

// openWeights opens dir's weights the way transformers looks for them: model.safetensors if present,
// otherwise the shards named by model.safetensors.index.json. Every tensor of a shard must be listed
// in the index under that shard, and every listed tensor must be in its shard; a tensor in two
// files is an error.
func openWeights(dir string) (*shards, error) {
	s := &shards{dir: dir, where: map[string]*policy.SafetensorsFile{}}
	single := filepath.Join(dir, policy.WeightsFile)
	if _, err := os.Stat(single); err == nil {
		f, err := policy.OpenSafetensors(single)
		if err != nil {
			return nil, fmt.Errorf("hf: %w", err)
		}
		s.files = []*policy.SafetensorsFile{f}
		for _, name := range f.Names() {
			s.where[name] = f
		}
		return s, nil
	}
	indexPath := filepath.Join(dir, IndexFile)
	raw, err := os.ReadFile(indexPath)
	if err != nil {
		return nil, fmt.Errorf("hf: %s has neither %s nor %s", dir, policy.WeightsFile, IndexFile)
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("hf: %s: %w", indexPath, err)
	}
	if len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("hf: %s: weight_map is empty or missing", indexPath)
	}
	byFile := map[string][]string{}
	for name, file := range index.WeightMap {
		if file != filepath.Base(file) {
			return nil, fmt.Errorf("hf: %s: tensor %q is in %q, which is not a file in the folder", indexPath, name, file)
		}
		byFile[file] = append(byFile[file], name)
	}
	files := make([]string, 0, len(byFile))
	for file := range byFile {
		files = append(files, file)
	}
	sort.Strings(files)
	var errs []error
	for _, file := range files {
		f, err := policy.OpenSafetensors(filepath.Join(dir, file))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("hf: shard listed in %s: %w", indexPath, err)
		}
		s.files = append(s.files, f)
		for _, name := range f.Names() {
			if prev, dup := s.where[name]; dup {
				errs = append(errs, fmt.Errorf("hf: tensor %q is in both %s and %s", name, prev.Path, f.Path))
			}
			if index.WeightMap[name] != file {
				errs = append(errs, fmt.Errorf("hf: tensor %q is in %s but %s lists it under %q", name, file, indexPath, index.WeightMap[name]))
			}
			s.where[name] = f
		}
		for _, name := range byFile[file] {
			if _, _, ok := f.Info(name); !ok {
				errs = append(errs, fmt.Errorf("hf: %s lists tensor %q in %s, which does not hold it", indexPath, name, file))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
