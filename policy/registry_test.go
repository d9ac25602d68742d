package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A folder written before config.json had model_type (the shipped base policies) loads as grit's
// GPT through the registry, and a saved folder names its type.
func TestLoadPolicyReadsGritFolders(t *testing.T) {
	p, err := LoadPolicy(filepath.Join("..", "configs", "base", "arithmetic"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*GPT); !ok {
		t.Fatalf("LoadPolicy gave %T, want *GPT", p)
	}
	if got, want := CountParams(p), p.(*GPT).NumParams(); got != want {
		t.Fatalf("CountParams = %d, NumParams = %d", got, want)
	}
	dir := t.TempDir()
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"model_type": "grit"`) {
		t.Fatalf("saved config.json does not name its model type:\n%s", raw)
	}
	if _, err := LoadPolicy(dir); err != nil {
		t.Fatal(err)
	}
}

func TestLoadPolicyNamesUnknownKinds(t *testing.T) {
	src := filepath.Join("..", "configs", "base", "arithmetic")
	cases := []struct {
		name, file, content, want string
	}{
		{"model type", ConfigFile, `{"model_type": "mamba", "hidden_size": 8}`, `unknown model_type "mamba"; registered: `},
		{"no model type", ConfigFile, `{"hidden_size": 8}`, "no model_type key"},
		{"tokenizer kind", TokenizerFile, `{"version": "1.0", "model": {"type": "Unigram"}}`, `unknown tokenizer kind "Unigram"; registered: `},
		{"tokenizer without kind", TokenizerFile, `{"version": "1.0"}`, `neither "type" nor "model"."type"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{ConfigFile, TokenizerFile, WeightsFile} {
				raw, err := os.ReadFile(filepath.Join(src, f))
				if err != nil {
					t.Fatal(err)
				}
				if f == c.file {
					raw = []byte(c.content)
				}
				if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadPolicy(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering grit's model type a second time did not panic")
		}
	}()
	RegisterModel(GritModelType, func(string, []byte, Tokenizer) (Policy, error) { return nil, nil })
}
