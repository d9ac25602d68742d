package configfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// setting is one key's value from one layer, already held to the key's type.
type setting struct {
	key   string
	value any
	where string // the source, for messages: "file.yaml:12", "--set k=v", "environment variable GRIT_K"
}

// readFile parses a YAML config file and checks every key in it, reporting unknown keys and
// wrong types with the file name and line.
func (t *keyTable) readFile(path string) ([]setting, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config file %s does not exist (check the --config path)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("config file %s is not valid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 { // empty file: nothing to set
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: the top level must be a mapping of `key: value` lines", path, root.Line)
	}
	var out []setting
	if err := t.walk(path, "", root, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// walk visits a mapping node; prefix is the dotted section it belongs to ("" at the top).
func (t *keyTable) walk(path, prefix string, m *yaml.Node, out *[]setting) error {
	firstLine := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + key
		}
		where := fmt.Sprintf("%s:%d", path, k.Line)
		if first, dup := firstLine[key]; dup {
			return fmt.Errorf("%s: %s is given twice (first on line %d); keep one", where, key, first)
		}
		firstLine[key] = k.Line
		if t.sections[key] {
			if v.Kind != yaml.MappingNode {
				return fmt.Errorf("%s: %s is a section; write its keys indented below it (e.g. %s.<key>: value)", where, key, key)
			}
			if err := t.walk(path, key, v, out); err != nil {
				return err
			}
			continue
		}
		kind, ok := t.lookup(key)
		if !ok {
			return t.unknownKey(key, where)
		}
		var raw any
		if err := v.Decode(&raw); err != nil {
			return fmt.Errorf("%s: %s: %v", where, key, err)
		}
		val, err := checkValue(key, kind, raw, where)
		if err != nil {
			return err
		}
		*out = append(*out, setting{key, val, where})
	}
	return nil
}
