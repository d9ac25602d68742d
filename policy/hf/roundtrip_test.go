package hf

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"grit/policy"
)

// Load, Save, load again: identical parameters and configuration; a second Save writes the same
// bytes; the saved tensors are the source's (same names, shapes and values, a tied lm_head left
// out) and the tokenizer files are copied.
func TestSaveRoundTrip(t *testing.T) {
	g := readGolden(t)
	for _, name := range fixtureNames(g) {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("testdata", name)
			m, err := Load(src)
			if err != nil {
				t.Fatal(err)
			}
			a, b := t.TempDir(), t.TempDir()
			if err := m.Save(a); err != nil {
				t.Fatal(err)
			}
			m2, err := Load(a)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.Config(), m2.Config()) || !reflect.DeepEqual(m.HFConfig(), m2.HFConfig()) || m2.ModelType() != m.ModelType() {
				t.Fatalf("config changed on the round trip:\n%+v\n%+v", m.HFConfig(), m2.HFConfig())
			}
			for i, p := range m.Params() {
				q := m2.Params()[i]
				if p.Name != q.Name || !slices.Equal(p.Value.Data, q.Value.Data) {
					t.Fatalf("parameter %s changed on the round trip", p.Name)
				}
			}
			if err := m2.Save(b); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{policy.ConfigFile, policy.WeightsFile} {
				x, _ := os.ReadFile(filepath.Join(a, f))
				y, _ := os.ReadFile(filepath.Join(b, f))
				if len(x) == 0 || !bytes.Equal(x, y) {
					t.Fatalf("%s differs between the first and second save", f)
				}
			}
			for _, f := range sideFiles {
				want, err := os.ReadFile(filepath.Join(src, f))
				got, err2 := os.ReadFile(filepath.Join(a, f))
				if (err == nil) != (err2 == nil) || !bytes.Equal(want, got) {
					t.Fatalf("%s not copied: source err %v, saved err %v", f, err, err2)
				}
			}
			// The saved tensors are the source's, by name; only a tied lm_head is dropped.
			srcW, err := openWeights(src)
			if err != nil {
				t.Fatal(err)
			}
			defer srcW.Close()
			saved, _, err := policy.ReadSafetensors(filepath.Join(a, policy.WeightsFile))
			if err != nil {
				t.Fatal(err)
			}
			for name, file := range srcW.where {
				want, err := file.Read(name)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := saved[name]
				if name == "lm_head.weight" && m.Config().TieEmbeddings {
					if ok {
						t.Fatal("a tied lm_head must not be saved")
					}
					continue
				}
				if !ok || !slices.Equal(got.Shape, want.Shape) || !slices.Equal(got.Data, want.Data) {
					t.Fatalf("tensor %s not saved as in the source", name)
				}
			}
			if len(saved) > len(srcW.where) {
				t.Fatalf("saved %d tensors, the source has %d", len(saved), len(srcW.where))
			}
			cfg := m2.HFConfig()
			if cfg["model_type"] != m.ModelType() {
				t.Fatalf("model_type %v", cfg["model_type"])
			}
			for _, key := range []string{"torch_dtype", "dtype"} {
				if v, ok := cfg[key]; ok && v != "float32" {
					t.Fatalf("%s = %v after saving float32 weights", key, v)
				}
			}
		})
	}
}

// Saving into a folder that holds a sharded index is refused (the shards would go stale and the
// single file would shadow them).
func TestSaveRefusesShardedFolder(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "qwen3"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, IndexFile), []byte(`{}`), 0o644)
	if err := m.Save(dir); err == nil {
		t.Fatal("want an error")
	}
}
