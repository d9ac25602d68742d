package configfile

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"grit/trainers"
)

// pathKeys are the settings that name files or folders: the starting checkpoint and the dataset
// env's file. A relative one in a config file is relative to that file's folder.
var pathKeys = []string{"init", "env_args.path"}

// rebasePaths joins relative path settings of a file layer onto dir, the file's folder.
func rebasePaths(layer []setting, dir string) {
	for i, s := range layer {
		switch {
		case s.key == "env_args":
			if m, ok := s.value.(map[string]any); ok {
				if p, ok := m["path"].(string); ok && p != "" && !filepath.IsAbs(p) {
					m["path"] = filepath.Join(dir, p)
				}
			}
		case isPathKey(s.key):
			if p, ok := s.value.(string); ok && p != "" && !filepath.IsAbs(p) {
				layer[i].value = filepath.Join(dir, p)
			}
		}
	}
}

func isPathKey(key string) bool {
	for _, k := range pathKeys {
		if k == key {
			return true
		}
	}
	return false
}

// absolutePaths makes the resolved path settings absolute (against the working directory), so
// that the run folder's config.yaml names the same files from anywhere.
func absolutePaths(cfg *trainers.Config) error {
	abs := func(key, p string) (string, error) {
		if p == "" || filepath.IsAbs(p) {
			return p, nil
		}
		a, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("%s: %w", key, err)
		}
		return a, nil
	}
	var err error
	if cfg.Init, err = abs("init", cfg.Init); err != nil {
		return err
	}
	if p, ok := cfg.EnvArgs["path"].(string); ok {
		if cfg.EnvArgs["path"], err = abs("env_args.path", p); err != nil {
			return err
		}
	}
	return nil
}

// sameValue compares a parsed config value with a default of a possibly different Go type (YAML
// gives float64 and string where the config holds float32 and typed string constants).
func sameValue(v, def any) bool {
	return reflect.DeepEqual(v, def) || fmt.Sprint(v) == fmt.Sprint(def)
}

// checkModelWithInit rejects a model.* setting that would be silently ignored: with init set, the
// architecture is the init folder's. A value equal to the built-in default is allowed (the fully
// spelled-out configs/grpo.yaml gives both).
func checkModelWithInit(cfg trainers.Config, layers [][]setting) error {
	if cfg.Init == "" {
		return nil
	}
	def := trainers.DefaultsMap()
	for _, layer := range layers {
		for _, s := range layer {
			if !strings.HasPrefix(s.key, "model.") || sameValue(s.value, def[s.key]) {
				continue
			}
			return fmt.Errorf("%s: %s is set, but init is %s: the model shape comes from the init folder, so model.* would be ignored; remove the model.* key, or set init to \"\" to train a fresh model with that shape",
				s.where, s.key, cfg.Init)
		}
	}
	return nil
}
