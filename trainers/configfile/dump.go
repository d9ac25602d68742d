package configfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"grit/policy"
	"grit/trainers"
)

// ResolvedName is the resolved config's file name inside a run folder.
const ResolvedName = "config.yaml"

// Dump renders cfg as YAML: keys in the Config's field order, sections as nested mappings, map
// entries sorted. Load of the result gives cfg back.
func Dump(cfg trainers.Config) ([]byte, error) {
	root, err := mappingOf(reflect.ValueOf(cfg))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# Resolved grit config (defaults < file < GRIT_* environment < --set).\n")
	b.WriteString(defaultsNote(string(cfg.Algo)))
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("dump config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("dump config: %w", err)
	}
	return b.Bytes(), nil
}

// mappingOf builds a YAML mapping node from a struct's mapstructure-tagged fields, in order.
func mappingOf(v reflect.Value) (*yaml.Node, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("mapstructure")
		if tag == "" {
			continue
		}
		f := v.Field(i)
		var val *yaml.Node
		var err error
		switch f.Kind() {
		case reflect.Struct:
			val, err = mappingOf(f)
		case reflect.Map:
			val, err = sortedMap(f)
		default:
			val = &yaml.Node{}
			err = val.Encode(f.Interface())
		}
		if err != nil {
			return nil, fmt.Errorf("dump config: %s: %w", tag, err)
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: tag}, val)
	}
	return m, nil
}

// sortedMap encodes a string-keyed map with its keys sorted (stable files that diff cleanly).
func sortedMap(f reflect.Value) (*yaml.Node, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	keys := make([]string, 0, f.Len())
	for _, k := range f.MapKeys() {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		m.Style = yaml.FlowStyle // `{}`
	}
	for _, k := range keys {
		val := &yaml.Node{}
		if err := val.Encode(f.MapIndex(reflect.ValueOf(k)).Interface()); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, val)
	}
	return m, nil
}

// WriteResolved writes cfg as DIR/config.yaml, atomically (temp file + link). It never replaces
// an existing config.yaml: that error wraps fs.ErrExist.
func WriteResolved(dir string, cfg trainers.Config) error {
	b, err := Dump(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create run folder: %w", err)
	}
	tmp, err := policy.CreateTemp(dir, ResolvedName+".tmp-") // mode 0666 less the umask, like os.Create
	if err != nil {
		return fmt.Errorf("write resolved config: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write resolved config %s: %w", tmp.Name(), errors.Join(werr, cerr))
	}
	// A hard link, unlike a rename, never replaces an existing file: of two runs started on one
	// folder only one gets config.yaml, and the file appears whole.
	defer os.Remove(tmp.Name())
	if err := os.Link(tmp.Name(), filepath.Join(dir, ResolvedName)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already holds %s: %w", dir, ResolvedName, fs.ErrExist)
		}
		return fmt.Errorf("write resolved config: %w", err)
	}
	return nil
}

// IsResolvedTemp reports whether a file name is a config.yaml being written by WriteResolved.
func IsResolvedTemp(name string) bool { return strings.HasPrefix(name, ResolvedName+".tmp-") }

// LoadResolved reads a run folder's resolved config (DIR/config.yaml) for `train --resume DIR`.
// The environment is not consulted: a resumed run must be the run that was started.
func LoadResolved(dir string) (trainers.Config, error) {
	path := filepath.Join(dir, ResolvedName)
	if _, err := os.Stat(path); err != nil {
		return trainers.Config{}, fmt.Errorf("%s has no %s; is it a run folder written by `train`?", dir, ResolvedName)
	}
	// Paths in config.yaml are absolute; older run folders hold them relative to the directory
	// the run was started from, so relative ones are not read against the run folder.
	return load(path, nil, nil, false)
}

// defaultsNote says which built-in defaults the config started from: the shared ones, and the
// algorithm's own where it has any (sft: adam_beta2 0.999).
func defaultsNote(algo string) string {
	own := trainers.AlgoDefaults(algo)
	if len(own) == 0 {
		return fmt.Sprintf("# Built-in defaults: the shared ones (configs/grpo.yaml); %s has none of its own.\n", algo)
	}
	keys := make([]string, 0, len(own))
	for k := range own {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %v", k, own[k])
	}
	return fmt.Sprintf("# Built-in defaults: the shared ones (configs/grpo.yaml), with %s's own %s.\n", algo, strings.Join(parts, ", "))
}
